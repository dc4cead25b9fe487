// Sigmoid: dx = dy * y * (1 - y), from the output (a primitive, so ORT's stable kernel computes the forward).
import { defineUnary, elementwise } from "../op.js";

export const Sigmoid = defineUnary({
  name: "Sigmoid",
  fn: (v) => 1 / (1 + Math.exp(-v)),
  vjp: elementwise((g, _x, y, dy) => g.mul(dy, g.mul(y, g.sub(1, y)))),
});
