// GatherElements along `axis`: out[i] = x[i with axis replaced by indices[i]].
// VJP: ScatterElements with reduction "add" of dy into zeros (repeated indices accumulate).
import { attr, defineOp, typed } from "../op.js";
import { normalizeAxis } from "../shape.js";
import { shapeFail } from "../errors.js";
import { at, normAxis, tabulate } from "../host-array.js";

export const GatherElements = defineOp<{ axis: number }>({
  name: "GatherElements",
  inputs: ["x", "indices"],
  infer: ([x, i], { axis }) => {
    if (i!.dtype !== "int64" && i!.dtype !== "int32")
      shapeFail(`indices must be int64 or int32, got ${i!.dtype}`);
    if (i!.shape.length !== x!.shape.length) shapeFail("indices must have the rank of x");
    normalizeAxis(axis, x!.shape.length);
    return [typed(x!.dtype, i!.shape)];
  },
  emit: (o, i, out, { axis }) => o.node("GatherElements", i, out, { axis: attr.int(axis) }),
  vjp: (g, { x: [x, idx], dy, attrs, needs }) => [
    needs[0] ? g.scatterElements(g.zeros(x!.shape, x!.dtype), idx!, dy, attrs.axis, "add") : undefined,
    undefined,
  ],
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 2], dtype: "int64", data: [0, 3, 1, 1, 2, 0] }],
      attrs: { axis: 1 },
    },
    {
      inputs: [{ shape: [3, 2] }, { shape: [2, 2], dtype: "int64", data: [2, 0, 0, 0] }],
      attrs: { axis: 0 },
    },
  ],
  eval: ([x, i], { axis }) => {
    const a = normAxis(axis, x!.shape.length);
    return [
      tabulate(x!.dtype, i!.shape, (idx) =>
        at(
          x!,
          idx.map((v, k) => (k === a ? at(i!, idx) : v)),
        ),
      ),
    ];
  },
});
