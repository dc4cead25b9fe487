// Pow: da = dy * b * a^(b-1), db = dy * y * log(a). Samples keep a > 0, where both are defined.
import { broadcasting, defineBinary } from "../op.js";

export const Pow = defineBinary({
  name: "Pow",
  fn: Math.pow,
  vjp: broadcasting(
    (g, { a, b, dy }) => g.mul(dy, g.mul(b, g.pow(a, g.sub(b, 1)))),
    (g, { a, y, dy }) => g.mul(dy, g.mul(y, g.log(a))),
  ),
  dtypes: ["float32", "float16", "float64"],
  ranges: [{ min: 0.5, max: 2 }, {}],
});
