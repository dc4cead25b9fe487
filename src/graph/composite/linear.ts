// A linear layer in PyTorch's weight layout: y = x·Wᵀ + b with W [out, in], so state-dict tensors load unchanged.
// onnxruntime folds the transpose of a constant weight (inference) and fuses MatMul + Transpose into FusedMatMul
// when the weight is a graph input (training). Flattening rank-3 inputs to 2-D so that onnxruntime forms Gemm with
// the bias folded in was measured slower (ViT-S/16 inference 268 vs 254 ms per batch, interleaved A/B), so the
// product stays batched.
import type { GraphBuilder } from "../builder.js";
import type { Value } from "../ir.js";

export function linear(g: GraphBuilder, x: Value, weight: Value, bias?: Value): Value {
  const y = g.matmul(x, g.transpose(weight, [1, 0]));
  return bias ? g.add(y, bias) : y;
}

/**
 * linear(x, W, b) split along its output features — as one product per part of W's rows, not one product whose
 * result is split: the activations are then never copied by a Split forward and a Concat backward (only the small
 * weight is); fmnist step −3 %.
 */
export function splitLinear(
  g: GraphBuilder,
  x: Value,
  weight: Value,
  bias: Value | undefined,
  sizes: number[],
): Value[] {
  const weights = g.split(weight, sizes, 0);
  const biases = bias ? g.split(bias, sizes, 0) : [];
  return weights.map((w, i) => linear(g, x, w, biases[i]));
}
