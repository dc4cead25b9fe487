// Div: da = dy / b, db = -dy * y / b (reuses the quotient). Integer division truncates like ONNX's int kernels.
import { broadcasting, defineBinary } from "../op.js";

export const Div = defineBinary({
  name: "Div",
  fn: (a, b) => a / b,
  vjp: broadcasting(
    (g, { b, dy }) => g.div(dy, b),
    (g, { b, y, dy }) => g.neg(g.div(g.mul(dy, y), b)),
  ),
  ranges: [{}, { min: 0.5, max: 2 }],
});
