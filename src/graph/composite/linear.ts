// A linear layer in PyTorch's weight layout: y = x·Wᵀ + b with W [out, in], so state-dict tensors load unchanged.
import type { GraphBuilder } from "../builder.js";
import type { Value } from "../ir.js";

export function linear(g: GraphBuilder, x: Value, weight: Value, bias?: Value): Value {
  const y = g.matmul(x, g.transpose(weight, [1, 0]));
  return bias ? g.add(y, bias) : y;
}
