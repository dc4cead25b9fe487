// Abs: dx = dy * sign(x) (zero at 0, the subgradient PyTorch uses).
import { defineUnary, elementwise } from "../op.js";

export const Abs = defineUnary({
  name: "Abs",
  fn: Math.abs,
  vjp: elementwise((g, x, _y, dy) => g.mul(dy, g.sign(x))),
  dtypes: ["float32", "float16", "float64", "int64", "int32"],
});
