// The soft cross-entropy every DINO/iBOT term uses (reference §3.3): H(t, s) = −Σ_k t_k · log_softmax(s/τ_s)_k,
// row-wise. Written as LogSoftmax + Mul + ReduceSum (ONNX's SoftmaxCrossEntropyLoss takes hard labels only).
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";

/** targets, logits [.., K] → [..] */
export function softCrossEntropy(g: GraphBuilder, targets: Value, logits: Value, studentTemp: number): Value {
  const logProbs = g.logSoftmax(g.div(logits, studentTemp), -1);
  return g.neg(g.reduceSum(g.mul(targets, logProbs), [-1]));
}
