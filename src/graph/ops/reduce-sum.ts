// ReduceSum. Linear: dx = dy broadcast back over the reduced axes.
import { defineReduce, keptDims } from "./reduction.js";
import { sum } from "../host-array.js";

export const ReduceSum = defineReduce({
  name: "ReduceSum",
  axesInputSince: 13,
  fold: sum,
  vjp: (g, { x: [x], dy, attrs, needs }) => [
    needs[0] ? g.expand(keptDims(g, dy, x!, attrs), x!.shape) : undefined,
  ],
});
