// ScatterND: writes (reduction "none", indices assumed unique) or adds ("add") `updates` into a copy of `data`.
// VJP: data ← dy with the written slots zeroed ("none") or dy ("add"); updates ← GatherND(dy, indices).
import { attr, defineOp, typed } from "../op.js";
import { shapeFail } from "../errors.js";
import { at, count, ravel, unravel } from "../host-array.js";

export const ScatterND = defineOp<{ reduction: "none" | "add" }>({
  name: "ScatterND",
  inputs: ["data", "indices", "updates"],
  infer: ([d, i, u]) => {
    if (i!.dtype !== "int64") shapeFail(`indices must be int64, got ${i!.dtype}`);
    if (d!.dtype !== u!.dtype) shapeFail(`dtypes differ: ${d!.dtype} vs ${u!.dtype}`);
    const k = i!.shape.at(-1);
    if (typeof k !== "number") shapeFail("the last indices dim must be a size");
    const want = [...i!.shape.slice(0, -1), ...d!.shape.slice(k)];
    if (want.join(",") !== u!.shape.join(","))
      shapeFail(`updates must be [${want.join(",")}], got [${u!.shape.join(",")}]`);
    return [typed(d!.dtype, d!.shape)];
  },
  emit: (o, i, out, { reduction }) =>
    o.node("ScatterND", i, out, reduction === "none" ? {} : { reduction: attr.string(reduction) }),
  vjp: (g, { x: [data, idx, upd], dy, attrs, needs }) => [
    needs[0]
      ? attrs.reduction === "add"
        ? dy
        : g.scatterND(dy, idx!, g.zeros(upd!.shape, upd!.dtype), "none")
      : undefined,
    undefined,
    needs[2] ? g.gatherND(dy, idx!) : undefined,
  ],
  samples: [
    {
      inputs: [{ shape: [4, 3] }, { shape: [2, 1], dtype: "int64", data: [3, 0] }, { shape: [2, 3] }],
      attrs: { reduction: "none" },
    },
    {
      inputs: [{ shape: [4, 3] }, { shape: [3, 1], dtype: "int64", data: [1, 1, 2] }, { shape: [3, 3] }],
      attrs: { reduction: "add" },
    },
    {
      inputs: [{ shape: [2, 3] }, { shape: [2, 2], dtype: "int64", data: [0, 2, 1, 0] }, { shape: [2] }],
      attrs: { reduction: "none" },
      note: "element addresses",
    },
  ],
  eval: ([d, i, u], { reduction }) => {
    const out = [...d!.data];
    const q = i!.shape.length - 1;
    const k = i!.shape[q]!;
    const slice = d!.shape.slice(k);
    const n = count(i!.shape.slice(0, q));
    for (let r = 0; r < n; r++) {
      const ri = unravel(r, i!.shape.slice(0, q));
      const head = Array.from({ length: k }, (_, j) => at(i!, [...ri, j]));
      for (let s = 0; s < count(slice); s++) {
        const si = unravel(s, slice);
        const dst = ravel([...head, ...si], d!.shape);
        const v = at(u!, [...ri, ...si]);
        out[dst] = reduction === "add" ? out[dst]! + v : v;
      }
    }
    return [{ dtype: d!.dtype, shape: d!.shape, data: out }];
  },
});
