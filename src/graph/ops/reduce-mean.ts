// ReduceMean. Linear: dx = dy / n broadcast back over the reduced axes (n = reduced element count).
import { defineReduce, keptDims } from "./reduction.js";
import { normalizeAxes, size } from "../shape.js";
import { sum } from "../host-array.js";

export const ReduceMean = defineReduce({
  name: "ReduceMean",
  axesInputSince: 18,
  fold: (v) => sum(v) / v.length,
  vjp: (g, { x: [x], dy, attrs, needs }) => {
    if (!needs[0]) return [undefined];
    const n = size(normalizeAxes(attrs.axes, x!.rank).map((a) => x!.shape[a]!));
    return [g.expand(g.div(keptDims(g, dy, x!, attrs), n), x!.shape)];
  },
});
