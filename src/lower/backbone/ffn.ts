// The block's feed-forward network (reference §1.2, §1.4, §12.2–3): "mlp" = fc2(GELU(fc1 x)) with the exact erf
// GELU; "swiglu" = SwiGLUFFNFused: u = x W12ᵀ + b12, gate = first half, value = second half, w3(SiLU(gate)·value).
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { linear, splitLinear } from "../../graph/composite/linear.js";

export type FfnParams =
  | { readonly kind: "mlp"; readonly fc1: [Value, Value]; readonly fc2: [Value, Value] }
  | { readonly kind: "swiglu"; readonly w12: [Value, Value]; readonly w3: [Value, Value] };

export function ffn(g: GraphBuilder, x: Value, p: FfnParams): Value {
  if (p.kind === "mlp") return linear(g, g.gelu(linear(g, x, ...p.fc1)), ...p.fc2);
  const hidden = (p.w12[0].shape[0] as number) / 2;
  const [gate, value] = splitLinear(g, x, ...p.w12, [hidden, hidden]) as [Value, Value];
  return linear(g, g.mul(g.silu(gate), value), ...p.w3);
}
