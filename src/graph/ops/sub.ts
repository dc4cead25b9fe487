// Sub: da = dy, db = -dy.
import { broadcasting, defineBinary } from "../op.js";

export const Sub = defineBinary({
  name: "Sub",
  fn: (a, b) => a - b,
  vjp: broadcasting(
    (_g, { dy }) => dy,
    (g, { dy }) => g.neg(dy),
  ),
});
