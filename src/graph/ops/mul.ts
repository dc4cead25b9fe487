// Mul: da = dy * b, db = dy * a (bilinear).
import { broadcasting, defineBinary } from "../op.js";

export const Mul = defineBinary({
  name: "Mul",
  fn: (a, b) => a * b,
  vjp: broadcasting(
    (g, { b, dy }) => g.mul(dy, b),
    (g, { a, dy }) => g.mul(dy, a),
  ),
});
