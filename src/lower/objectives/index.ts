// The registry of loss terms, in the order their metrics are listed (`loss_dino`, `loss_ibot`, `loss_koleo`).
// Adding a term: write `<name>.ts` exporting one `defineTerm({...})`, its schema table under `losses`, and add it
// here; the step and gradient graphs, the manifest, the checker, the cost model and the runtime pick it up.
import type { ModelIR } from "../../ir/model.js";
import type { ParamSpec } from "../params.js";
import { dino } from "./dino.js";
import { ibot } from "./ibot.js";
import { koleo } from "./koleo.js";
import { mae } from "./mae.js";
import type { LossTerm } from "./term.js";

export type { LossTerm } from "./term.js";

export const LOSS_TERMS: readonly LossTerm[] = Object.freeze([dino, ibot, koleo, mae]);

/**
 * Checkpoint modules no inference graph reads: every registered term's heads and loss state (a checkpoint may come
 * from another model's training), and a training checkpoint's optimiser moments.
 */
export const TRAINING_MODULES: readonly string[] = [
  ...LOSS_TERMS.flatMap((t) => t.checkpointModules),
  "optimizer",
];

/** The terms of a model's objective (`losses.terms`), registry order; inactive ones included (they output 0). */
export function modelTerms(ir: ModelIR): LossTerm[] {
  return LOSS_TERMS.filter((t) => ir.losses.terms.includes(t.name));
}

/** Every head parameter of the model's terms, registry order (`prefix` is `teacher.` for the EMA copy). */
export function modelHeadSpecs(ir: ModelIR, prefix = ""): ParamSpec[] {
  return modelTerms(ir).flatMap((t) => t.heads(ir, prefix));
}

/** Whether any term of the model learns from an EMA teacher (then the step carries and updates one). */
export function needsTeacher(ir: ModelIR): boolean {
  return modelTerms(ir).some((t) => t.needsTeacher);
}

/** Terms in the order their graphs are built: those on the CLS token first, then those on patch tokens. */
export function loweringOrder(terms: readonly LossTerm[]): LossTerm[] {
  const rank = (t: LossTerm): number => (t.tokens === "cls" ? 0 : 1);
  return [...terms].sort((a, b) => rank(a) - rank(b));
}
