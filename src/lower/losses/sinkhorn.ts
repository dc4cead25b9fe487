// Sinkhorn–Knopp teacher targets (reference §3.2, §12.16), single process, float32, no max subtraction inside the
// exp. Q is kept as [samples, prototypes] (PyTorch transposes to [K, B]; the sums are the same): "rows" of the
// reference (one per prototype) are our axis-0 sums, its per-sample "columns" our axis-1 sums. The divisions by K
// and by B_tot cancel mathematically but are kept, in the reference's order, so the float32 rounding matches.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";

export interface SinkhornOptions {
  readonly iterations: number;
  /** DINOv2's Q ← Q/ΣQ before the loop; Franca's MRL DINO loss skips it (§3.2 step 2) */
  readonly preNormalise: boolean;
  /**
   * [B] 1 for samples that take part, 0 for padding: DINOv2's iBOT slices the buffer to n_masked rows before the
   * Sinkhorn, which with a fixed-size buffer means zeroing the padded columns and keeping their sums away from 0.
   */
  readonly valid?: Value;
  /** B_tot of the reference: the sample count (2B for the CLS loss, n_masked for iBOT); default the row count */
  readonly samples?: Value | number;
}

/** logits [B, K] (gradient stopped here), teacherTemp a scalar → targets [B, K], each valid row summing to 1 */
export function sinkhornTargets(
  g: GraphBuilder,
  logits: Value,
  teacherTemp: Value,
  o: SinkhornOptions,
): Value {
  const [b, k] = logits.shape as [number, number];
  const bTot = o.samples ?? b;
  let q = g.exp(g.div(g.stopGradient(logits), teacherTemp));
  if (o.valid) q = g.mul(q, g.unsqueeze(o.valid, 1));
  if (o.preNormalise) q = g.div(q, g.reduceSum(q, [0, 1], true));
  // a padded column sums to 0; adding (1 − valid) divides it by 1 instead, leaving valid columns untouched
  const padding = o.valid ? g.unsqueeze(g.sub(1, o.valid), 1) : undefined;
  for (let it = 0; it < o.iterations; it++) {
    q = g.div(g.div(q, g.reduceSum(q, [0], true)), k);
    let perSample = g.reduceSum(q, [1], true);
    if (padding) perSample = g.add(perSample, padding);
    q = g.div(g.div(q, perSample), bTot);
  }
  return g.mul(q, bTot);
}
