// Exp: dx = dy * y (the output is the derivative).
import { defineUnary, elementwise } from "../op.js";

export const Exp = defineUnary({
  name: "Exp",
  fn: Math.exp,
  vjp: elementwise((g, _x, y, dy) => g.mul(dy, y)),
});
