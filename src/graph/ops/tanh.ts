// Tanh: dx = dy * (1 - y²), from the output.
import { defineUnary, elementwise } from "../op.js";

export const Tanh = defineUnary({
  name: "Tanh",
  fn: Math.tanh,
  vjp: elementwise((g, _x, y, dy) => g.mul(dy, g.sub(1, g.mul(y, y)))),
});
