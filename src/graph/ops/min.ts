// Min (two inputs): the cotangent goes to the smaller input; on a tie it goes to `a`.
import { broadcasting, defineBinary } from "../op.js";

export const Min = defineBinary({
  name: "Min",
  fn: Math.min,
  vjp: broadcasting(
    (g, { a, b, dy }) => g.where(g.greater(a, b), 0, dy),
    (g, { a, b, dy }) => g.where(g.greater(a, b), dy, 0),
  ),
});
