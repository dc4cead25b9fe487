// Split along `axis` into pieces of `sizes`. Linear: dx = concat of the pieces' cotangents, a zero block for a
// piece that received none.
import { defineOp, attr, typed } from "../op.js";
import { normalizeAxis } from "../shape.js";
import { shapeFail } from "../errors.js";
import { at, normAxis, tabulate } from "../host-array.js";

export const Split = defineOp<{ axis: number; sizes: readonly number[] }>({
  name: "Split",
  inputs: ["x"],
  infer: ([x], { axis, sizes }) => {
    const a = normalizeAxis(axis, x!.shape.length);
    const total = sizes.reduce((s, d) => s + d, 0);
    if (x!.shape[a] !== total)
      shapeFail(`sizes [${sizes.join(",")}] do not add up to dim ${x!.shape[a]} of axis ${a}`);
    return sizes.map((s) =>
      typed(
        x!.dtype,
        x!.shape.map((d, i) => (i === a ? s : d)),
      ),
    );
  },
  emit: (o, [x], out, { axis, sizes }) =>
    o.node("Split", [x!, o.int64s(sizes)], out, { axis: attr.int(axis) }),
  vjp: (g, { y, dys, attrs, needs }) => {
    if (!needs[0]) return [undefined];
    const parts = y.map((v, i) => dys[i] ?? g.zeros(v.shape, v.dtype));
    return [parts.length === 1 ? parts[0]! : g.concat(parts, attrs.axis)];
  },
  samples: [
    { inputs: [{ shape: [2, 5] }], attrs: { axis: 1, sizes: [2, 3] } },
    { inputs: [{ shape: [6, 2] }], attrs: { axis: 0, sizes: [1, 4, 1] } },
  ],
  eval: ([x], { axis, sizes }) => {
    const a = normAxis(axis, x!.shape.length);
    let offset = 0;
    return sizes.map((s) => {
      const start = offset;
      offset += s;
      const shape = x!.shape.map((d, i) => (i === a ? s : d));
      return tabulate(x!.dtype, shape, (idx) =>
        at(
          x!,
          idx.map((v, i) => (i === a ? v + start : v)),
        ),
      );
    });
  },
});
