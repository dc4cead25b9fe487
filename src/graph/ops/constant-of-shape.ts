// ConstantOfShape: a filled tensor of a static shape (zero cotangent blocks, masks); no inputs, no gradient.
// Emitted with a small int64 shape initializer, so a large zero tensor never becomes an initializer.
import { defineOp, nondifferentiable, typed } from "../op.js";
import type { Dtype } from "../ir.js";
import { isStatic } from "../shape.js";
import { shapeFail } from "../errors.js";
import { count } from "../host-array.js";
import { toTensorData } from "../tensor-data.js";

export const ConstantOfShape = defineOp<{ shape: readonly number[]; dtype: Dtype; value: number }>({
  name: "ConstantOfShape",
  inputs: [],
  infer: (_x, { shape, dtype }) => {
    if (!isStatic(shape)) shapeFail(`needs a static shape, got [${String(shape)}]`);
    return [typed(dtype, shape)];
  },
  emit: (o, _i, out, { shape, dtype, value }) =>
    o.node("ConstantOfShape", [o.int64s(shape)], out, {
      value: { type: "tensor", t: { name: "value", dtype, dims: [1], data: toTensorData(dtype, [value]) } },
    }),
  vjp: nondifferentiable,
  samples: [
    { inputs: [], attrs: { shape: [2, 3], dtype: "float32", value: 0 } },
    { inputs: [], attrs: { shape: [4], dtype: "int64", value: 7 } },
  ],
  eval: (_x, { shape, dtype, value }) => [
    { dtype, shape, data: new Array<number>(count(shape)).fill(value) },
  ],
});
