// Neg: y = -x; dx = -dy.
import { defineUnary, elementwise } from "../op.js";

export const Neg = defineUnary({
  name: "Neg",
  fn: (v) => -v,
  vjp: elementwise((g, _x, _y, dy) => g.neg(dy)),
  dtypes: ["float32", "float16", "float64", "int64", "int32"],
});
