// Multi-head self-attention (reference §1.2 step 6, §1.4): qkv features laid out [q | k | v], each [head0 … head
// h−1] with contiguous head-dim slices; softmax(q kᵀ · dh^-½) v over all tokens (no mask, no bias). The scale is
// applied to q before the product, as Franca's fallback path does — the same numbers, fewer multiplications.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { linear, splitLinear } from "../../graph/composite/linear.js";

export interface AttentionParams {
  readonly qkvWeight: Value;
  readonly qkvBias?: Value;
  readonly projWeight: Value;
  readonly projBias: Value;
}

/** x [N, T, D] → [N, T, D] */
export function attention(g: GraphBuilder, x: Value, p: AttentionParams, heads: number): Value {
  const [n, t, d] = x.shape as [string | number, number, number];
  const dh = d / heads;
  const [q, k, v] = splitLinear(g, x, p.qkvWeight, p.qkvBias, [d, d, d]) as [Value, Value, Value];
  const split = (z: Value): Value => g.reshape(z, [n, t, heads, dh]);
  const qh = g.mul(g.transpose(split(q), [0, 2, 1, 3]), dh ** -0.5); // [N, h, T, dh]
  const kt = g.transpose(split(k), [0, 2, 3, 1]); // [N, h, dh, T]
  const vh = g.transpose(split(v), [0, 2, 1, 3]); // [N, h, T, dh]
  const weights = g.softmax(g.matmul(qh, kt), -1); // [N, h, T, T]
  const o = g.reshape(g.transpose(g.matmul(weights, vh), [0, 2, 1, 3]), [n, t, d]);
  return linear(g, o, p.projWeight, p.projBias);
}
