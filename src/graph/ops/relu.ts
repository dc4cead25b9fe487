// Relu: dx = dy where x > 0, else 0.
import { defineUnary, elementwise } from "../op.js";

export const Relu = defineUnary({
  name: "Relu",
  fn: (v) => Math.max(v, 0),
  vjp: elementwise((g, x, _y, dy) => g.where(g.greater(x, 0), dy, 0)),
});
