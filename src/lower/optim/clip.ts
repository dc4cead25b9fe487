// Gradient clipping per student sub-module (reference §7.2, §12.22): backbone, dino_head and ibot_head are each
// clipped to their own norm, as DINOv2's loop calls clip_grad_norm_ on every module of `student`. Semantics of
// torch.nn.utils.clip_grad_norm_ (and FSDP's): total = ‖all grads‖₂, coef = max / (total + 1e-6), grads ×
// min(coef, 1) — the eps is in the denominator even when nothing is clipped, but min(…, 1) then leaves them as is.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";

export const CLIP_EPS = 1e-6;

export interface ClippedGroup {
  readonly grads: Value[];
  /** the module's gradient norm before clipping */
  readonly norm: Value;
}

/** Σ g² over a list of tensors, as a scalar */
export function sumOfSquares(g: GraphBuilder, grads: readonly Value[]): Value {
  const parts = grads.map((x) =>
    g.reduceSum(
      g.mul(x, x),
      x.shape.map((_, i) => i),
    ),
  );
  return parts.reduce((a, b) => g.add(a, b));
}

/** Clips one module's gradients to `maxNorm` (0 or less: no clipping, only the norm is computed). */
export function clipGroup(g: GraphBuilder, grads: readonly Value[], maxNorm: number): ClippedGroup {
  const norm = g.sqrt(sumOfSquares(g, grads));
  if (!(maxNorm > 0)) return { grads: [...grads], norm };
  const coef = g.min(g.div(g.scalar(maxNorm, "float32"), g.add(norm, CLIP_EPS)), 1);
  return { grads: grads.map((x) => g.mul(x, coef)), norm };
}
