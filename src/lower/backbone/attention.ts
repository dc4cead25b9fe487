// Multi-head self-attention (reference §1.2 step 6, §1.4): qkv features laid out [q | k | v], each [head0 … head
// h−1] with contiguous head-dim slices; softmax(q kᵀ · dh^-½) v over all tokens (no mask, no bias). The scale is
// applied to q before the product, as Franca's fallback path does — the same numbers, fewer multiplications.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { attention as multiHead } from "../../graph/composite/attention.js";
import { linear, splitLinear } from "../../graph/composite/linear.js";

export interface AttentionParams {
  readonly qkvWeight: Value;
  readonly qkvBias?: Value;
  readonly projWeight: Value;
  readonly projBias: Value;
}

/** x [N, T, D] → [N, T, D] */
export function attention(g: GraphBuilder, x: Value, p: AttentionParams, heads: number): Value {
  const d = x.shape[2] as number;
  const [q, k, v] = splitLinear(g, x, p.qkvWeight, p.qkvBias, [d, d, d]) as [Value, Value, Value];
  return linear(g, multiHead(g, q, k, v, heads), p.projWeight, p.projBias);
}
