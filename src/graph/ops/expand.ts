// Expand (broadcast) to `shape`. Linear: dx = unbroadcast(dy). A symbolic target dim must match the input's aligned
// dim, so emission can write 1 for it and ONNX broadcasting keeps the input's extent.
import { defineOp, linear, typed } from "../op.js";
import { broadcastShapes, sameDim, unbroadcast } from "../shape.js";
import type { Dim } from "../ir.js";
import { shapeFail } from "../errors.js";
import { zipArrays, host } from "../host-array.js";

export const Expand = defineOp<{ shape: readonly Dim[] }>({
  name: "Expand",
  inputs: ["x"],
  infer: ([x], { shape }) => {
    const lead = shape.length - x!.shape.length;
    shape.forEach((d, i) => {
      if (typeof d === "string" && !sameDim(d, x!.shape[i - lead] ?? 1))
        shapeFail(`symbolic dim ${d} must already be in the input`);
    });
    return [typed(x!.dtype, broadcastShapes(x!.shape, shape))];
  },
  emit: (o, [x], out, { shape }) =>
    o.node("Expand", [x!, o.int64s(shape.map((d) => (typeof d === "number" ? d : 1)))], out),
  vjp: linear((g, dy, [x]) => unbroadcast(g, dy, x!.shape)),
  samples: [
    { inputs: [{ shape: [3, 1] }], attrs: { shape: [2, 3, 4] } },
    { inputs: [{ shape: [1, 4] }], attrs: { shape: [3, 1] } },
  ],
  eval: ([x], { shape }) => [
    zipArrays(
      [
        x!,
        host(
          x!.dtype,
          shape as number[],
          new Array<number>(shape.length ? (shape as number[]).reduce((a, b) => a * b, 1) : 1).fill(0),
        ),
      ],
      (v) => v,
      x!.dtype,
    ),
  ],
});
