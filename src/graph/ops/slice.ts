// Slice with ONNX semantics (negative indices count from the end, ends clamp). Linear: for unit steps the
// cotangent is zero-padded back to the input's extent with one Pad node; strided slices scatter it back.
import { defineOp, linear, typed } from "../op.js";
import type { Dim } from "../ir.js";
import { normalizeAxis } from "../shape.js";
import { shapeFail } from "../errors.js";
import { at, tabulate } from "../host-array.js";
import { gatherTranspose } from "./gather.js";

export interface SliceAttrs {
  [k: string]: readonly number[];
  starts: readonly number[];
  ends: readonly number[];
  axes: readonly number[];
  steps: readonly number[];
}

/** Per-axis [start, count, step] after ONNX's clamping rules. */
export function sliceRanges(shape: readonly Dim[], a: SliceAttrs): Map<number, [number, number, number]> {
  const out = new Map<number, [number, number, number]>();
  a.axes.forEach((ax, k) => {
    const axis = normalizeAxis(ax, shape.length);
    const dim = shape[axis];
    if (typeof dim !== "number") shapeFail(`cannot slice symbolic axis ${axis}`);
    const step = a.steps[k] ?? 1;
    if (step === 0) shapeFail("step must not be 0");
    const clamp = (v: number, lo: number, hi: number): number =>
      Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    const start = step > 0 ? clamp(a.starts[k]!, 0, dim) : clamp(a.starts[k]!, -1, dim - 1);
    const end = step > 0 ? clamp(a.ends[k]!, 0, dim) : clamp(a.ends[k]!, -1, dim - 1);
    const count = Math.max(0, Math.ceil((end - start) / step));
    out.set(axis, [start, count, step]);
  });
  return out;
}

export const Slice = defineOp<SliceAttrs>({
  name: "Slice",
  inputs: ["x"],
  infer: ([x], a) => {
    if (
      a.starts.length !== a.axes.length ||
      a.ends.length !== a.axes.length ||
      a.steps.length !== a.axes.length
    )
      shapeFail("starts, ends, axes and steps must have the same length");
    const r = sliceRanges(x!.shape, a);
    return [
      typed(
        x!.dtype,
        x!.shape.map((d, i) => r.get(i)?.[1] ?? d),
      ),
    ];
  },
  emit: (o, [x], out, a) =>
    o.node("Slice", [x!, o.int64s(a.starts), o.int64s(a.ends), o.int64s(a.axes), o.int64s(a.steps)], out),
  vjp: linear((g, dy, [x], a) => {
    const r = sliceRanges(x!.shape, a);
    if ([...r.values()].every(([, , step]) => step === 1)) {
      const rank = x!.rank;
      const pads = new Array<number>(2 * rank).fill(0);
      for (const [axis, [start, count]] of r) {
        pads[axis] = start;
        pads[rank + axis] = (x!.shape[axis] as number) - start - count;
      }
      return g.pad(dy, pads);
    }
    // Strided slices are gathers of constant indices: undo them one axis at a time.
    let dx = dy;
    for (const [axis, [start, count, step]] of r) {
      const idx = g.constant(
        Array.from({ length: count }, (_, k) => start + k * step),
        "int64",
      );
      dx = gatherTranspose(g, dx, idx, axis, {
        dtype: x!.dtype,
        shape: dx.shape.map((d, i) => (i === axis ? x!.shape[i]! : d)),
      });
    }
    return dx;
  }),
  samples: [
    { inputs: [{ shape: [4, 5] }], attrs: { starts: [1], ends: [3], axes: [0], steps: [1] } },
    { inputs: [{ shape: [3, 6] }], attrs: { starts: [0, -4], ends: [1, 1000], axes: [0, 1], steps: [1, 1] } },
    {
      inputs: [{ shape: [7] }],
      attrs: { starts: [5], ends: [0], axes: [0], steps: [-2] },
      note: "reversed stride",
    },
    { inputs: [{ shape: [4, 6] }], attrs: { starts: [1, 0], ends: [4, 6], axes: [0, 1], steps: [1, 2] } },
  ],
  eval: ([x], a) => {
    const r = sliceRanges(x!.shape, a);
    const shape = x!.shape.map((d, i) => r.get(i)?.[1] ?? d);
    return [
      tabulate(x!.dtype, shape, (idx) =>
        at(
          x!,
          idx.map((v, i) => {
            const s = r.get(i);
            return s ? s[0] + v * s[2] : v;
          }),
        ),
      ),
    ];
  },
});
