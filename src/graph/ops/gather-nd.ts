// GatherND (batch_dims 0): indices[..., k] address the first k axes of x.
// VJP: ScatterND with reduction "add" of dy into zeros.
import { defineOp, typed } from "../op.js";
import { shapeFail } from "../errors.js";
import { at, tabulate } from "../host-array.js";

export const GatherND = defineOp({
  name: "GatherND",
  inputs: ["x", "indices"],
  infer: ([x, i]) => {
    if (i!.dtype !== "int64") shapeFail(`indices must be int64, got ${i!.dtype}`);
    const k = i!.shape.at(-1);
    if (typeof k !== "number" || k > x!.shape.length)
      shapeFail("the last indices dim must be a size ≤ rank of x");
    return [typed(x!.dtype, [...i!.shape.slice(0, -1), ...x!.shape.slice(k)])];
  },
  emit: (o, i, out) => o.node("GatherND", i, out),
  vjp: (g, { x: [x, idx], dy, needs }) => [
    needs[0] ? g.scatterND(g.zeros(x!.shape, x!.dtype), idx!, dy, "add") : undefined,
    undefined,
  ],
  samples: [
    { inputs: [{ shape: [4, 3] }, { shape: [2, 1], dtype: "int64", data: [3, 1] }], attrs: {} },
    {
      inputs: [{ shape: [2, 4, 3] }, { shape: [3, 2], dtype: "int64", data: [0, 1, 1, 3, 0, 1] }],
      attrs: {},
    },
  ],
  eval: ([x, i]) => {
    const q = i!.shape.length - 1;
    const k = i!.shape[q]!;
    const shape = [...i!.shape.slice(0, q), ...x!.shape.slice(k)];
    return [
      tabulate(x!.dtype, shape, (idx) => {
        const head = Array.from({ length: k }, (_, j) => at(i!, [...idx.slice(0, q), j]));
        return at(x!, [...head, ...idx.slice(q)]);
      }),
    ];
  },
});
