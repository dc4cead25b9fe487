// Cast to `to`. Between float dtypes the gradient is cast back; to or from integers/bool no gradient flows.
import { defineOp, typed } from "../op.js";
import type { Dtype } from "../ir.js";
import { isFloat } from "../ir.js";
import { mapArray, roundTo } from "../host-array.js";
import { attr } from "../op.js";

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<Dtype, number> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

export const Cast = defineOp<{ to: Dtype }>({
  name: "Cast",
  inputs: ["x"],
  infer: ([x], { to }) => [typed(to, x!.shape)],
  emit: (o, i, out, { to }) => o.node("Cast", i, out, { to: attr.int(ONNX_DTYPE[to]) }),
  vjp: (g, { x: [x], dy, needs }) => [needs[0] && isFloat(dy.dtype) ? g.cast(dy, x!.dtype) : undefined],
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { to: "float64" } },
    { inputs: [{ shape: [2, 3], min: -3, max: 3 }], attrs: { to: "int64" }, note: "truncates toward zero" },
    { inputs: [{ shape: [4], dtype: "bool" }], attrs: { to: "float32" } },
  ],
  eval: ([x], { to }) => [mapArray(x!, (v) => roundTo(to, v), to)],
});
