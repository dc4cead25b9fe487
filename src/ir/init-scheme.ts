// The projection heads' initialisation (reference §2.1; dinov2/layers/dino_head.py `_init_weights`), in one place:
// the lowering draws the weights from it (src/lower/heads/head-params.ts) and the dynamics estimates
// (src/ir/dynamics.ts) predict the first step's logit scale from it.

export const HEAD_INIT = {
  /** every MLP and projection Linear: trunc_normal_(std=0.02) with timm's absolute bounds ±2, bias 0 */
  linearStd: 0.02,
  truncBound: 2,
  /** weight_norm's gain of the last layer, filled with 1 (each prototype row has unit norm at init) */
  weightG: 1,
} as const;
