// ReduceMax. dx = dy where x equals the maximum, else 0 (ties each get the full cotangent; samples avoid ties).
import { defineReduce, keptDims } from "./reduction.js";

export const ReduceMax = defineReduce({
  name: "ReduceMax",
  axesInputSince: 18,
  fold: (v) => Math.max(...v),
  vjp: (g, { x: [x], y: [y], dy, attrs, needs }) => {
    if (!needs[0]) return [undefined];
    const hit = g.equal(x!, keptDims(g, y!, x!, attrs));
    return [g.where(hit, g.expand(keptDims(g, dy, x!, attrs), x!.shape), 0)];
  },
});
