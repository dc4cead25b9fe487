// MatMul of rank ≥ 2 operands with broadcast batch dims (vectors are reshaped by the caller, keeping VJPs simple).
// VJP: da = dy·bᵀ, db = aᵀ·dy, each unbroadcast over batch dims. When b is a matrix shared by every batch entry
// of a (a linear layer: x[B,T,K] · W[K,N]), its gradient Σ_batch aᵀ·dy is one 2-D product of a and dy with the
// batch dims folded into the rows, [B·T,K]ᵀ·[B·T,N]: the batched product would build a [B,K,N] block per sample
// and then sum it away, B times the work and memory of the weight gradient itself.
import { defineOp, typed } from "../op.js";
import type { GraphBuilder } from "../builder.js";
import type { Value } from "../ir.js";
import { broadcastShapes, sameDim, unbroadcast } from "../shape.js";
import { shapeFail } from "../errors.js";
import { at, host, tabulate } from "../host-array.js";

const swapLast = (g: GraphBuilder, v: Value): Value => {
  const perm = v.shape.map((_, i) => i);
  perm.splice(-2, 2, v.rank - 1, v.rank - 2);
  return g.transpose(v, perm);
};

/**
 * db for a b whose batch dims are all 1 (or absent) against an a that carries every batch dim of dy; else
 * undefined. When b = Wᵀ (a linear layer's transposed weight W [N, K]), W's own gradient dyᵀ·a is formed and handed
 * back transposed: the Transpose VJP transposes it again, which the builder cancels, so W's gradient is the product
 * itself, where aᵀ·dy would need a weight-sized Transpose (ViT-S/16 recipe: 18 ms per 65 536 × 256 head weight).
 */
function sharedRightGrad(g: GraphBuilder, a: Value, b: Value, dy: Value): Value | undefined {
  if (!b.shape.slice(0, -2).every((d) => d === 1)) return undefined;
  if (a.rank !== dy.rank || !a.shape.slice(0, -2).every((d, i) => sameDim(d, dy.shape[i]!))) return undefined;
  const rows = (v: Value): Value => (v.rank === 2 ? v : g.reshape(v, [-1, v.shape.at(-1)!]));
  if (b.rank === 2 && b.producer?.op.name === "Transpose")
    return g.transpose(g.matmul(g.transpose(rows(dy), [1, 0]), rows(a)), [1, 0]);
  const db = g.matmul(g.transpose(rows(a), [1, 0]), rows(dy));
  return b.rank === 2 ? db : g.reshape(db, b.shape);
}

export const MatMul = defineOp({
  name: "MatMul",
  inputs: ["a", "b"],
  infer: ([a, b]) => {
    if (a!.shape.length < 2 || b!.shape.length < 2) shapeFail("operands must have rank ≥ 2");
    if (a!.dtype !== b!.dtype) shapeFail(`dtypes differ: ${a!.dtype} vs ${b!.dtype}`);
    const [m, k] = a!.shape.slice(-2);
    const [k2, n] = b!.shape.slice(-2);
    if (!sameDim(k!, k2!)) shapeFail(`inner dimensions differ: ${k} vs ${k2}`);
    return [typed(a!.dtype, [...broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2)), m!, n!])];
  },
  emit: (o, i, out) => o.node("MatMul", i, out),
  vjp: (g, { x: [a, b], dy, needs }) => [
    needs[0] ? unbroadcast(g, g.matmul(dy, swapLast(g, b!)), a!.shape) : undefined,
    needs[1]
      ? (sharedRightGrad(g, a!, b!, dy) ?? unbroadcast(g, g.matmul(swapLast(g, a!), dy), b!.shape))
      : undefined,
  ],
  samples: [
    { inputs: [{ shape: [3, 4] }, { shape: [4, 5] }], attrs: {} },
    { inputs: [{ shape: [2, 3, 4] }, { shape: [4, 2] }], attrs: {}, note: "batched × shared weight" },
    {
      inputs: [{ shape: [2, 3, 5, 4] }, { shape: [1, 4, 2] }],
      attrs: {},
      note: "rank-4 batch × rank-3 shared weight",
    },
    { inputs: [{ shape: [3, 4] }, { shape: [2, 4, 5] }], attrs: {}, note: "shared left matrix × batched" },
    { inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }], attrs: {}, note: "broadcast batch" },
  ],
  eval: ([a, b]) => {
    const shape = [
      ...broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2)),
      a!.shape.at(-2)!,
      b!.shape.at(-1)!,
    ];
    const k = a!.shape.at(-1)!;
    const pick = (x: typeof a, idx: number[], r: number, c: number): number => {
      const batch = x!.shape
        .slice(0, -2)
        .map((d, j) => (d === 1 ? 0 : idx[idx.length - 2 - (x!.shape.length - 2) + j]!));
      return at(x!, [...batch, r, c]);
    };
    const y = tabulate(a!.dtype, shape as number[], (idx) => {
      let s = 0;
      for (let t = 0; t < k; t++) s += pick(a, idx, idx.at(-2)!, t) * pick(b, idx, t, idx.at(-1)!);
      return s;
    });
    return [host(y.dtype, y.shape, y.dtype === "float32" ? y.data.map(Math.fround) : y.data)];
  },
});
