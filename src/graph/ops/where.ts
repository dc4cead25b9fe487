// Where(cond, a, b): broadcasting select. dA = where(cond, dy, 0), dB = where(cond, 0, dy); cond gets none.
import { defineOp, typed } from "../op.js";
import { broadcastShapes, unbroadcast } from "../shape.js";
import { shapeFail } from "../errors.js";
import { zipArrays } from "../host-array.js";

export const Where = defineOp({
  name: "Where",
  inputs: ["cond", "a", "b"],
  infer: ([c, a, b]) => {
    if (c!.dtype !== "bool") shapeFail(`condition must be bool, got ${c!.dtype}`);
    if (a!.dtype !== b!.dtype) shapeFail(`dtypes differ: ${a!.dtype} vs ${b!.dtype}`);
    return [typed(a!.dtype, broadcastShapes(c!.shape, a!.shape, b!.shape))];
  },
  emit: (o, i, out) => o.node("Where", i, out),
  vjp: (g, { x: [c, a, b], dy, needs }) => [
    undefined,
    needs[1] ? unbroadcast(g, g.where(c!, dy, 0), a!.shape) : undefined,
    needs[2] ? unbroadcast(g, g.where(c!, 0, dy), b!.shape) : undefined,
  ],
  samples: [
    { inputs: [{ shape: [2, 3], dtype: "bool" }, { shape: [2, 3] }, { shape: [2, 3] }], attrs: {} },
    {
      inputs: [{ shape: [2, 1], dtype: "bool" }, { shape: [3] }, { shape: [2, 3] }],
      attrs: {},
      note: "broadcast",
    },
    {
      inputs: [{ shape: [4, 1], dtype: "bool" }, { shape: [1, 3] }, { shape: [] }],
      attrs: {},
      note: "mask token",
    },
  ],
  eval: ([c, a, b]) => [zipArrays([c!, a!, b!], (m, u, v) => (m ? u : v), a!.dtype)],
});
