// ReduceL2: y = sqrt(sum x²). dx = x · (dy / y) (the weight-norm and l2-normalise building block): the quotient
// has the reduced shape, so the full-size work is one product.
import { defineReduce, keptDims } from "./reduction.js";

export const ReduceL2 = defineReduce({
  name: "ReduceL2",
  axesInputSince: 18,
  fold: (v) => Math.sqrt(v.reduce((s, a) => s + a * a, 0)),
  vjp: (g, { x: [x], y: [y], dy, attrs, needs }) => [
    needs[0] ? g.mul(x!, g.div(keptDims(g, dy, x!, attrs), keptDims(g, y!, x!, attrs))) : undefined,
  ],
});
