// nn.Linear in row-vector form (reference §0): y = x Wᵀ + b with W stored [out, in] as in the state dict, so
// checkpoints load unchanged. onnxruntime folds the transpose of a constant weight (inference) and fuses
// MatMul + Transpose into FusedMatMul when the weight is a graph input (training).
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";

export function linear(g: GraphBuilder, x: Value, weight: Value, bias?: Value): Value {
  const y = g.matmul(x, g.transpose(weight, [1, 0]));
  return bias ? g.add(y, bias) : y;
}
