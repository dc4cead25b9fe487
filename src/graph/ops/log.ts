// Log (natural): dx = dy / x. Samples stay away from 0 where the finite difference would blow up.
import { defineUnary, elementwise } from "../op.js";

export const Log = defineUnary({
  name: "Log",
  fn: Math.log,
  vjp: elementwise((g, x, _y, dy) => g.div(dy, x)),
  min: 0.5,
  max: 2,
});
