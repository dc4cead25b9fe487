// Pad with a constant (mode "constant"); pads are [begin_0 … begin_r, end_0 … end_r], non-negative.
// Linear: dx = the slice of dy that the input occupies.
import { defineOp, linear, typed } from "../op.js";
import { shapeFail } from "../errors.js";
import { at, tabulate } from "../host-array.js";

export const Pad = defineOp<{ pads: readonly number[]; value: number }>({
  name: "Pad",
  inputs: ["x"],
  infer: ([x], { pads }) => {
    const r = x!.shape.length;
    if (pads.length !== 2 * r || pads.some((p) => p < 0))
      shapeFail(`pads [${pads.join(",")}] must be 2×${r} non-negative`);
    return [
      typed(
        x!.dtype,
        x!.shape.map((d, i) => (pads[i] || pads[r + i] ? (d as number) + pads[i]! + pads[r + i]! : d)),
      ),
    ];
  },
  emit: (o, [x], out, { pads, value }, { x: [t] }) =>
    o.node("Pad", [x!, o.int64s(pads), o.scalar(value, t!.dtype)], out),
  vjp: linear((g, dy, [x], { pads }) => {
    const axes = x!.shape.map((_, i) => i).filter((i) => pads[i] || pads[x!.rank + i]);
    return g.slice(
      dy,
      axes.map((i) => pads[i]!),
      axes.map((i) => pads[i]! + (x!.shape[i] as number)),
      axes,
    );
  }),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { pads: [1, 0, 0, 2], value: 0 } },
    { inputs: [{ shape: [3] }], attrs: { pads: [2, 1], value: 0.5 } },
  ],
  eval: ([x], { pads, value }) => {
    const r = x!.shape.length;
    const shape = x!.shape.map((d, i) => d + pads[i]! + pads[r + i]!);
    return [
      tabulate(x!.dtype, shape, (idx) => {
        const src = idx.map((v, i) => v - pads[i]!);
        return src.every((v, i) => v >= 0 && v < x!.shape[i]!) ? at(x!, src) : value;
      }),
    ];
  },
});
