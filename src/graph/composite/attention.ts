// Multi-head scaled dot-product attention from registered ops (gradients come from MatMul, Softmax, Reshape and
// Transpose). Inputs are [B, T, D] projections; heads split D into H × D/H.
import type { GraphBuilder } from "../builder.js";
import type { Value } from "../ir.js";
import { ShapeError } from "../errors.js";

/** [B, T, D] → [B, H, T, D/H] */
export function splitHeads(g: GraphBuilder, x: Value, heads: number): Value {
  const [b, t, d] = x.shape;
  if (typeof d !== "number" || d % heads !== 0)
    throw new ShapeError(`dim ${String(d)} is not divisible by ${heads} heads`, "attention", [x], g.source);
  return g.transpose(g.reshape(x, [b!, t!, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, H, T, dh] → [B, T, H·dh] */
export function mergeHeads(g: GraphBuilder, x: Value): Value {
  const [b, h, t, dh] = x.shape;
  return g.reshape(g.transpose(x, [0, 2, 1, 3]), [b!, t!, (h as number) * (dh as number)]);
}

/** softmax(q·kᵀ·scale)·v on [B, H, T, dh] tensors; scale defaults to 1/√dh. */
export function scaledDotProductAttention(
  g: GraphBuilder,
  q: Value,
  k: Value,
  v: Value,
  scale?: number,
): Value {
  const dh = q.shape[q.rank - 1] as number;
  const scores = g.matmul(g.mul(q, scale ?? 1 / Math.sqrt(dh)), g.transpose(k, [0, 1, 3, 2]));
  return g.matmul(g.softmax(scores, -1), v);
}

/** Attention over [B, T, D] queries/keys/values with `heads` heads; returns [B, T, D]. */
export function attention(g: GraphBuilder, q: Value, k: Value, v: Value, heads: number): Value {
  const split = (x: Value) => splitHeads(g, x, heads);
  return mergeHeads(g, scaledDotProductAttention(g, split(q), split(k), split(v)));
}
