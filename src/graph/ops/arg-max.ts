// ArgMax along one axis (first index on ties), int64 result; nondifferentiable (KoLeo's nearest neighbour).
import { attr, defineOp, nondifferentiable, typed } from "../op.js";
import { normalizeAxis, reducedShape } from "../shape.js";
import { normAxis, reduceArray } from "../host-array.js";

export const ArgMax = defineOp<{ axis: number; keepdims: boolean }>({
  name: "ArgMax",
  inputs: ["x"],
  infer: ([x], { axis, keepdims }) => [
    typed("int64", reducedShape(x!.shape, [normalizeAxis(axis, x!.shape.length)], keepdims)),
  ],
  emit: (o, i, out, { axis, keepdims }) =>
    o.node("ArgMax", i, out, { axis: attr.int(axis), keepdims: attr.int(keepdims ? 1 : 0) }),
  vjp: nondifferentiable,
  samples: [
    { inputs: [{ shape: [3, 5] }], attrs: { axis: 1, keepdims: false } },
    { inputs: [{ shape: [4, 2] }], attrs: { axis: 0, keepdims: true } },
  ],
  eval: ([x], { axis, keepdims }) => {
    const r = reduceArray(x!, [normAxis(axis, x!.shape.length)], keepdims, (v) => v.indexOf(Math.max(...v)));
    return [{ ...r, dtype: "int64" }];
  },
});
