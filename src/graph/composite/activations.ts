// Activations built from registered ops, so their gradients come from their parts.
// GELU is the exact erf form, 0.5·x·(1 + erf(x/√2)), because ONNX Gelu only exists from opset 20. It is written as
// onnxruntime's GeluFusion looks for it — a Div by √2, not a Mul by 1/√2 — so inference runs one Gelu kernel.
import type { GraphBuilder } from "../builder.js";
import type { Value } from "../ir.js";

export function gelu(g: GraphBuilder, x: Value): Value {
  return g.mul(g.mul(x, 0.5), g.add(g.erf(g.div(x, Math.SQRT2)), 1));
}

/** SiLU (swish): x·σ(x), the SwiGLU gate. */
export function silu(g: GraphBuilder, x: Value): Value {
  return g.mul(x, g.sigmoid(x));
}
