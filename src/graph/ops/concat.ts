// Concat along `axis`. Linear: the cotangent is split back into the inputs' extents with one Split node.
import { attr, defineOp, typed } from "../op.js";
import type { Dim } from "../ir.js";
import { normalizeAxis, sameDim } from "../shape.js";
import { shapeFail } from "../errors.js";
import { at, normAxis, tabulate } from "../host-array.js";

export const Concat = defineOp<{ axis: number }>({
  name: "Concat",
  inputs: ["xs"],
  variadic: true,
  infer: (xs, { axis }) => {
    const first = xs[0]!;
    const a = normalizeAxis(axis, first.shape.length);
    const parts: Dim[] = [];
    for (const x of xs) {
      if (x.dtype !== first.dtype) shapeFail(`dtypes differ: ${first.dtype} vs ${x.dtype}`);
      const ok =
        x.shape.length === first.shape.length &&
        x.shape.every((d, i) => i === a || sameDim(d, first.shape[i]!));
      if (!ok) shapeFail(`shapes differ off axis ${a}: [${first.shape.join(",")}] vs [${x.shape.join(",")}]`);
      parts.push(x.shape[a]!);
    }
    if (!parts.every((d) => typeof d === "number")) shapeFail("cannot concatenate along a symbolic axis");
    const total = (parts as number[]).reduce((s, d) => s + d, 0);
    return [
      typed(
        first.dtype,
        first.shape.map((d, i) => (i === a ? total : d)),
      ),
    ];
  },
  emit: (o, i, out, { axis }) => o.node("Concat", i, out, { axis: attr.int(axis) }),
  vjp: (g, { x, dy, attrs, needs }) => {
    const a = normalizeAxis(attrs.axis, dy.rank);
    const parts = g.split(
      dy,
      x.map((v) => v.shape[a] as number),
      a,
    );
    return parts.map((p, i) => (needs[i] ? p : undefined));
  },
  samples: [
    { inputs: [{ shape: [2, 3] }, { shape: [2, 1] }], attrs: { axis: 1 } },
    {
      inputs: [{ shape: [1, 3] }, { shape: [2, 3] }, { shape: [1, 3] }],
      attrs: { axis: 0 },
      note: "cls + patches + reg",
    },
  ],
  eval: (xs, { axis }) => {
    const a = normAxis(axis, xs[0]!.shape.length);
    const shape = xs[0]!.shape.map((d, i) => (i === a ? xs.reduce((s, x) => s + x.shape[a]!, 0) : d));
    return [
      tabulate(xs[0]!.dtype, shape, (idx) => {
        let k = idx[a]!;
        for (const x of xs) {
          if (k < x.shape[a]!)
            return at(
              x,
              idx.map((v, i) => (i === a ? k : v)),
            );
          k -= x.shape[a]!;
        }
        return NaN;
      }),
    ];
  },
});
