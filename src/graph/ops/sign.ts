// Sign: -1, 0 or 1; its derivative is zero almost everywhere, so it carries no cotangent.
import { defineUnary, nondifferentiable } from "../op.js";

export const Sign = defineUnary({
  name: "Sign",
  fn: Math.sign,
  vjp: nondifferentiable,
  dtypes: ["float32", "float16", "float64", "int64", "int32"],
});
