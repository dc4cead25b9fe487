// ReduceL2: y = sqrt(sum x²). dx = dy * x / y (the weight-norm and l2-normalise building block).
import { defineReduce, keptDims } from "./reduction.js";

export const ReduceL2 = defineReduce({
  name: "ReduceL2",
  axesInputSince: 18,
  fold: (v) => Math.sqrt(v.reduce((s, a) => s + a * a, 0)),
  vjp: (g, { x: [x], y: [y], dy, attrs, needs }) => [
    needs[0] ? g.mul(keptDims(g, dy, x!, attrs), g.div(x!, keptDims(g, y!, x!, attrs))) : undefined,
  ],
});
