// Max (two inputs): the cotangent goes to the larger input; on a tie it goes to `a`.
import { broadcasting, defineBinary } from "../op.js";

export const Max = defineBinary({
  name: "Max",
  fn: Math.max,
  vjp: broadcasting(
    (g, { a, b, dy }) => g.where(g.less(a, b), 0, dy),
    (g, { a, b, dy }) => g.where(g.less(a, b), dy, 0),
  ),
});
