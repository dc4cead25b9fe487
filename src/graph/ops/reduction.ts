// The shared shape of ReduceSum/Mean/Max/L2: explicit, normalised axes (an empty list is never "all axes"),
// keepdims, and the opset rule for where axes go (an input from opset 13 for ReduceSum, from 18 for the others).
import { attr, defineOp, typed } from "../op.js";
import type { EmitContext, OpDef, Vjp } from "../op.js";
import type { GraphBuilder } from "../builder.js";
import type { Value } from "../ir.js";
import { normalizeAxes, reducedShape } from "../shape.js";
import { reduceArray, roundTo } from "../host-array.js";

export interface ReduceAttrs {
  [k: string]: readonly number[] | boolean;
  axes: readonly number[];
  keepdims: boolean;
}

/** The cotangent (or output) of a reduction with the reduced axes kept as size 1, ready to broadcast against x. */
export function keptDims(g: GraphBuilder, v: Value, x: Value, { axes, keepdims }: ReduceAttrs): Value {
  if (keepdims) return v;
  const ax = normalizeAxes(axes, x.rank);
  return g.reshape(v, reducedShape(x.shape, ax, true));
}

export function defineReduce(def: {
  name: string;
  axesInputSince: number;
  fold: (values: number[]) => number;
  vjp: Vjp<ReduceAttrs>;
}): OpDef<ReduceAttrs> {
  return defineOp<ReduceAttrs>({
    name: def.name,
    inputs: ["x"],
    infer: ([x], { axes, keepdims }) => [
      typed(x!.dtype, reducedShape(x!.shape, normalizeAxes(axes, x!.shape.length), keepdims)),
    ],
    emit: (o: EmitContext, [x], out, { axes, keepdims }) => {
      const k = { keepdims: attr.int(keepdims ? 1 : 0) };
      if (o.opset >= def.axesInputSince) o.node(def.name, [x!, o.int64s(axes)], out, k);
      else o.node(def.name, [x!], out, { ...k, axes: attr.ints(axes) });
    },
    vjp: def.vjp,
    samples: [
      { inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [1], keepdims: false } },
      { inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [0, 2], keepdims: true } },
      { inputs: [{ shape: [3, 5] }], attrs: { axes: [-1], keepdims: false } },
    ],
    eval: ([x], { axes, keepdims }) => {
      const ax = normalizeAxes(axes, x!.shape.length);
      const r = reduceArray(x!, ax, keepdims, def.fold);
      return [{ ...r, data: r.data.map((v) => roundTo(x!.dtype, v)) }];
    },
  });
}
