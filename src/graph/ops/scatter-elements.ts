// ScatterElements along `axis`: writes ("none", unique indices) or adds ("add") updates into a copy of data.
// VJP: data ← dy with written slots zeroed ("none") or dy ("add"); updates ← GatherElements(dy, indices).
import { attr, defineOp, typed } from "../op.js";
import { normalizeAxis } from "../shape.js";
import { shapeFail } from "../errors.js";
import { at, normAxis, ravel, unravel } from "../host-array.js";

export const ScatterElements = defineOp<{ axis: number; reduction: "none" | "add" }>({
  name: "ScatterElements",
  inputs: ["data", "indices", "updates"],
  infer: ([d, i, u], { axis }) => {
    if (i!.dtype !== "int64" && i!.dtype !== "int32")
      shapeFail(`indices must be int64 or int32, got ${i!.dtype}`);
    if (d!.dtype !== u!.dtype) shapeFail(`dtypes differ: ${d!.dtype} vs ${u!.dtype}`);
    if (i!.shape.join(",") !== u!.shape.join(",")) shapeFail("indices and updates must have the same shape");
    normalizeAxis(axis, d!.shape.length);
    return [typed(d!.dtype, d!.shape)];
  },
  emit: (o, i, out, { axis, reduction }) =>
    o.node("ScatterElements", i, out, {
      axis: attr.int(axis),
      ...(reduction === "none" ? {} : { reduction: attr.string(reduction) }),
    }),
  vjp: (g, { x: [data, idx, upd], dy, attrs, needs }) => [
    needs[0]
      ? attrs.reduction === "add"
        ? dy
        : g.scatterElements(dy, idx!, g.zeros(upd!.shape, upd!.dtype), attrs.axis, "none")
      : undefined,
    undefined,
    needs[2] ? g.gatherElements(dy, idx!, attrs.axis) : undefined,
  ],
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 1], dtype: "int64", data: [2, 0, 3] }, { shape: [3, 1] }],
      attrs: { axis: 1, reduction: "none" },
    },
    {
      inputs: [{ shape: [3, 2] }, { shape: [2, 2], dtype: "int64", data: [0, 1, 0, 0] }, { shape: [2, 2] }],
      attrs: { axis: 0, reduction: "add" },
    },
  ],
  eval: ([d, i, u], { axis, reduction }) => {
    const a = normAxis(axis, d!.shape.length);
    const out = [...d!.data];
    for (let r = 0; r < u!.data.length; r++) {
      const idx = unravel(r, u!.shape);
      const dst = ravel(
        idx.map((v, k) => (k === a ? at(i!, idx) : v)),
        d!.shape,
      );
      out[dst] = reduction === "add" ? out[dst]! + u!.data[r]! : u!.data[r]!;
    }
    return [{ dtype: d!.dtype, shape: d!.shape, data: out }];
  },
});
