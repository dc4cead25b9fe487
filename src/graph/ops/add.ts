// Add: da = db = dy, each reduced to its input's shape by unbroadcast.
import { broadcasting, defineBinary } from "../op.js";

export const Add = defineBinary({
  name: "Add",
  fn: (a, b) => a + b,
  vjp: broadcasting(
    (_g, { dy }) => dy,
    (_g, { dy }) => dy,
  ),
});
