// Parameters of the projection heads as data and as graph values. Heads are addressed by module ("dino_head",
// "ibot_head", "teacher.dino_head"); their tensors are looked up by full state-dict name so a head built for the
// student and one built for the teacher differ only in the module string.
import { InternalError } from "../../diagnostics/diagnostic.js";
import type { Value } from "../../graph/ir.js";
import { HEAD_INIT } from "../../ir/init-scheme.js";
import { paramSpec, type InitRule, type ParamSpec } from "../params.js";

/** state-dict name → graph value (a graph input in the train/grad graphs) */
export type ParamValues = ReadonlyMap<string, Value>;

export function take(params: ParamValues, name: string): Value {
  const v = params.get(name);
  if (!v) throw new InternalError(`head parameter ${name} was not declared`);
  return v;
}

/** §2.1 init: MLP linears trunc-normal 0.02 (timm bounds ±2), biases 0. */
export const TRUNC_NORMAL: InitRule = {
  kind: "truncNormal",
  std: HEAD_INIT.linearStd,
  bound: HEAD_INIT.truncBound,
};
export const ZERO: InitRule = { kind: "constant", value: 0 };
/** weight_norm's gain at init */
export const WEIGHT_G: InitRule = { kind: "constant", value: HEAD_INIT.weightG };

/** Records for one head module; the clip group is the module without any `teacher.` prefix. */
export class HeadSpecs {
  readonly specs: ParamSpec[] = [];
  constructor(readonly group: string) {}

  add(name: string, shape: number[], init: InitRule): void {
    this.specs.push(paramSpec(name, shape, init, this.group));
  }

  linear(module: string, outF: number, inF: number): void {
    this.add(`${module}.weight`, [outF, inF], TRUNC_NORMAL);
    this.add(`${module}.bias`, [outF], ZERO);
  }
}
