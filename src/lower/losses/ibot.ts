// The iBOT masked-patch loss (reference §3.4, §4.1, §12.15). The host computes, per batch, the flat indices of the
// masked global-crop patches (row-major over [2B, P]), padded to the compile-time `upperbound`, and a weight per
// slot: 1/m_i for a masked patch of image i, 0 for padding. Tokens are gathered into a fixed [upperbound, D] buffer
// whose padded rows are zero, as the reference's `new_zeros(upperbound, D)` buffer is.
//   L = (1/2B) · Σ_j w_j · H(t_j, s_j)   (unmasked images count in 2B but contribute nothing)
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { softCrossEntropy } from "./cross-entropy.js";

/**
 * Size of the gather buffers (§4.1): Σ ⌊P·probs[k+1]⌋ over the ⌊n_img·images⌋ masked images, probs =
 * linspace(r_min, r_max, n_masked_img + 1) computed as numpy does (start + i·step, last = stop). The runtime's
 * collate computes the same bound per batch; it is a compile-time constant because it depends on no draw.
 */
export function maskUpperbound(
  ratio: { readonly lo: number; readonly hi: number },
  images: number,
  nImages: number,
  patches: number,
): number {
  const n = Math.trunc(nImages * images);
  const step = (ratio.hi - ratio.lo) / n;
  let u = 0;
  for (let k = 1; k <= n; k++) u += Math.trunc(patches * (k === n ? ratio.hi : ratio.lo + k * step));
  return u;
}

/** The host-computed gather inputs of one batch. */
export interface MaskedTokens {
  /** int64 [U]: flat index into the [2B·P] patch rows; padding slots may hold any in-range index */
  readonly indices: Value;
  /** float32 [U]: 1/m_i per masked token, 0 for padding */
  readonly weights: Value;
  /** float32 [U]: 1 for the first n_masked slots, 0 after */
  readonly valid: Value;
  /** float32 scalar: n_masked */
  readonly count: Value;
}

/** patch tokens [2B, P, D] → buffer [U, D], padded rows zero */
export function gatherMasked(g: GraphBuilder, patchTokens: Value, m: MaskedTokens): Value {
  const [n, p, d] = patchTokens.shape as [number, number, number];
  const rows = g.gather(g.reshape(patchTokens, [n * p, d]), m.indices, 0);
  return g.mul(rows, g.unsqueeze(m.valid, 1));
}

/**
 * Targets with the padded rows set to exactly 0 by selection, not arithmetic: a batch without masked patches
 * (n_masked = 0, which DINOv2's block masks can produce for tiny grids) makes every Sinkhorn sum 0 and its rows NaN,
 * and those must not reach the loss even with weight 0. Valid rows are returned unchanged.
 */
export function validRowsOnly(g: GraphBuilder, targets: Value, m: MaskedTokens): Value {
  return g.where(g.greater(g.unsqueeze(m.valid, 1), 0), targets, 0);
}

/** student logits, targets [U, K] → the iBOT loss of one level (before the loss weight) */
export function ibotLoss(
  g: GraphBuilder,
  student: Value,
  targets: Value,
  m: MaskedTokens,
  images: number,
  studentTemp: number,
): Value {
  const h = softCrossEntropy(g, targets, student, studentTemp);
  return g.div(g.reduceSum(g.mul(h, m.weights), [0]), images);
}
