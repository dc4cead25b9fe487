// Training-dynamics monitors: metric outputs of the step graph computed from values the objective builds anyway
// (teacher targets, student logits, backbone tokens). The loss never depends on them, so the backward pass never
// visits them; the student's log-softmax is the very expression the loss builds (losses/cross-entropy.ts), which
// onnxruntime's common-subexpression elimination computes once (franca-tiny's optimised step: 9 LogSoftmax nodes,
// as many as without the monitors). They tell
// whether the DINO-family objective is learning: targets stuck at the uniform distribution (entropy log K, the
// loss on its Σ log K plateau), a teacher that uses a handful of prototypes (collapse to one prototype), a
// backbone whose CLS features no longer differ between images. docs/small-scale.md shows them at work.
import type { GraphBuilder } from "../graph/builder.js";
import type { Value } from "../graph/ir.js";

/** Which rows count (iBOT's padded buffer rows do not): [N] 1/0 weights and their number as a float scalar. */
export interface Rows {
  readonly valid: Value;
  readonly count: Value;
}

/** −p·log p per entry, 0 where p is 0 */
function plogp(g: GraphBuilder, p: Value): Value {
  return g.mul(p, g.log(g.max(p, 1e-30)));
}

/** mean over rows (the valid ones) of a per-row value [N] */
function rowMean(g: GraphBuilder, perRow: Value, rows?: Rows): Value {
  if (!rows) return g.reduceMean(perRow, [0]);
  return g.div(g.reduceSum(g.mul(perRow, rows.valid), [0]), g.max(rows.count, 1));
}

/** mean entropy (nats) of the rows of `probs` [N, K], each a distribution */
export function meanEntropy(g: GraphBuilder, probs: Value, rows?: Rows): Value {
  return rowMean(g, g.neg(g.reduceSum(plogp(g, probs), [-1])), rows);
}

/** mean entropy (nats) of softmax(logits / temp) over the rows of `logits` [N, K] */
export function softmaxEntropy(g: GraphBuilder, logits: Value, temp: number | Value, rows?: Rows): Value {
  const logp = g.logSoftmax(g.div(logits, temp), -1);
  return rowMean(g, g.neg(g.reduceSum(g.mul(g.exp(logp), logp), [-1])), rows);
}

/**
 * The effective number of prototypes the batch uses: exp of the entropy of the batch-mean assignment. K when every
 * prototype gets the same share, 1 when every row picks the same one.
 */
export function prototypesInUse(g: GraphBuilder, probs: Value, rows?: Rows): Value {
  const p = probs;
  const n = p.shape[0] as number;
  const weighted = rows ? g.mul(p, g.unsqueeze(rows.valid, 1)) : p;
  const mean = g.div(g.reduceSum(weighted, [0]), rows ? g.max(rows.count, 1) : n);
  return g.exp(g.neg(g.reduceSum(plogp(g, mean), [-1])));
}

/**
 * How much features differ across the batch: the std over rows of the L2-normalised features, averaged over the
 * channels and scaled by √D — about 1 for features spread evenly on the sphere, 0 when every image gives the
 * same feature (collapse).
 */
export function featureSpread(g: GraphBuilder, x: Value): Value {
  const [, d] = x.shape as [number, number];
  const unit = g.div(x, g.sqrt(g.max(g.reduceSum(g.mul(x, x), [-1], true), 1e-24)));
  const centred = g.sub(unit, g.reduceMean(unit, [0], true));
  const variance = g.reduceMean(g.mul(centred, centred), [0]);
  return g.mul(g.reduceMean(g.sqrt(variance), [0]), Math.sqrt(d));
}

/** ‖x‖ of a tensor of any shape */
export function norm(g: GraphBuilder, x: Value): Value {
  const all = Array.from({ length: x.rank }, (_, i) => i);
  return g.sqrt(g.reduceSum(g.mul(x, x), all));
}
