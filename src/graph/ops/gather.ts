// Gather along `axis` with integer indices (masked-token selection into a fixed-size buffer).
// VJP: scatter-add of dy into zeros; the gathered axis is moved to the front so one ScatterND covers every axis.
import { attr, defineOp, typed } from "../op.js";
import type { GraphBuilder } from "../builder.js";
import type { TensorType, Value } from "../ir.js";
import { inversePermutation, normalizeAxis } from "../shape.js";
import { shapeFail } from "../errors.js";
import { at, normAxis, tabulate } from "../host-array.js";

/**
 * The transpose of gathering `like` along `axis` by `idx`: scatter-adds `dy` into zeros of `like`'s type. The
 * gathered axis is moved to the front so that one ScatterND (reduction "add") serves every axis.
 */
export function gatherTranspose(
  g: GraphBuilder,
  dy: Value,
  idx: Value,
  axis: number,
  like: TensorType,
): Value {
  const rank = like.shape.length;
  const q = idx.rank;
  const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, k) => from + k);
  // dy is like[:axis] ++ idx.shape ++ like[axis+1:]; bring the index block to the front.
  const dyT = g.transpose(dy, [...range(axis, q), ...range(0, axis), ...range(axis + q, rank - axis - 1)]);
  const front = [axis, ...range(0, axis), ...range(axis + 1, rank - axis - 1)];
  const zeros = g.zeros(
    front.map((p) => like.shape[p]!),
    like.dtype,
  );
  const scattered = g.scatterND(zeros, g.unsqueeze(idx, q), dyT, "add");
  return g.transpose(scattered, inversePermutation(front));
}

export const Gather = defineOp<{ axis: number }>({
  name: "Gather",
  inputs: ["x", "indices"],
  infer: ([x, i], { axis }) => {
    if (i!.dtype !== "int64" && i!.dtype !== "int32")
      shapeFail(`indices must be int64 or int32, got ${i!.dtype}`);
    const a = normalizeAxis(axis, x!.shape.length);
    return [typed(x!.dtype, [...x!.shape.slice(0, a), ...i!.shape, ...x!.shape.slice(a + 1)])];
  },
  emit: (o, i, out, { axis }) => o.node("Gather", i, out, { axis: attr.int(axis) }),
  vjp: (g, { x: [x, idx], dy, attrs, needs }) => [
    needs[0] ? gatherTranspose(g, dy, idx!, normalizeAxis(attrs.axis, x!.rank), x!) : undefined,
    undefined,
  ],
  samples: [
    { inputs: [{ shape: [5, 3] }, { shape: [4], dtype: "int64", data: [0, 4, 2, 0] }], attrs: { axis: 0 } },
    {
      inputs: [{ shape: [2, 5, 3] }, { shape: [2, 2], dtype: "int64", data: [1, 3, 3, 0] }],
      attrs: { axis: 1 },
    },
    {
      inputs: [{ shape: [2, 4] }, { shape: [], dtype: "int64", data: [2] }],
      attrs: { axis: -1 },
      note: "scalar index",
    },
  ],
  eval: ([x, i], { axis }) => {
    const a = normAxis(axis, x!.shape.length);
    const q = i!.shape.length;
    const shape = [...x!.shape.slice(0, a), ...i!.shape, ...x!.shape.slice(a + 1)];
    return [
      tabulate(x!.dtype, shape, (idx) => {
        const k = at(i!, idx.slice(a, a + q));
        return at(x!, [...idx.slice(0, a), k < 0 ? k + x!.shape[a]! : k, ...idx.slice(a + q)]);
      }),
    ];
  },
});
