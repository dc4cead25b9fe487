// Sqrt: dx = dy / (2y), reusing the output instead of recomputing sqrt(x).
import { defineUnary, elementwise } from "../op.js";

export const Sqrt = defineUnary({
  name: "Sqrt",
  fn: Math.sqrt,
  vjp: elementwise((g, _x, y, dy) => g.div(dy, g.mul(y, 2))),
  min: 0.5,
  max: 2,
});
