// The names of the training contract (docs/graph-contract.md), defined once: the lowering declares graph inputs and
// outputs under them and the runtime feeds and reads them by the same constants. A loss term's own state (its
// centres) is named in the term's file; everything shared by every model lives here.

/** EMA teacher copy of a student parameter: `teacher.<param>`. */
export const TEACHER = "teacher.";
/** AdamW moments of a student parameter: `opt_m.<param>`, `opt_v.<param>`. */
export const OPT_M = "opt_m.";
export const OPT_V = "opt_v.";
/** The output that replaces a carried input at the next step: `new.<input>`. */
export const NEXT = "new.";
/** A gradient output of the grad graph: `grad.<param>`. */
export const GRAD = "grad.";

/** The optimiser step counter (int64 scalar, carried). */
export const STEP = "step";

/** Prefixes a carried state tensor may have in front of its parameter's state-dict name. */
export const STATE_PREFIXES = [TEACHER, OPT_M, OPT_V] as const;

/** The batch inputs a step graph may take, with what the runtime feeds them. */
export const BATCH = {
  /** RGB in [0, 1], [views·B, C, S, S], view-major (all first views, then all second views …) */
  globalCrops: "global_crops",
  /** RGB in [0, 1], [n_loc·B, C, Sl, Sl], crop-major */
  localCrops: "local_crops",
  /** bool [views·B, P] student masks of the global crops, true = masked */
  masks: "masks",
  /** int64 [U]: flat indices into [views·B·P] of the masked patches, padded to the compile-time bound U */
  maskIndices: "mask_indices",
  /** float32 [U]: 1/m_i per masked patch of image i, 0 for padding */
  maskWeights: "mask_weights",
  /** int64 scalar: number of valid slots of mask_indices */
  nMasked: "n_masked",
  /** int64 [B, P]: per image a random order of its patches; MAE's encoder sees the first ⌊P·(1 − ratio)⌋ */
  patchOrder: "patch_order",
  /** float32 [depth, 2, N]: stochastic-depth residual scales of the global crops (per block, branch, sample) */
  dropPathGlobal: "drop_path_global",
  dropPathLocal: "drop_path_local",
} as const;

export type BatchInput = (typeof BATCH)[keyof typeof BATCH];

/** Scalar inputs evaluated from the manifest's schedules (or a host rule) every step. */
export const SCHEDULE_INPUT = {
  lr: "lr",
  wd: "wd",
  momentum: "momentum",
  /** 0 while the last layer is frozen, then 1: a host rule on `optim.freezeLastLayerSteps`, not a schedule */
  lastLayerLrFactor: "last_layer_lr_factor",
} as const;

/** Keys of the manifest's `schedules` the shared inputs read. */
export const SCHEDULE_KEY = {
  lr: "lr",
  weightDecay: "weight_decay",
  teacherMomentum: "teacher_momentum",
} as const;

/** The total loss, always the first metric. */
export const LOSS = "loss";
/** A term's weighted contribution to the loss: `loss_<term>`. */
export const termLoss = (term: string): string => `${LOSS}_${term}`;
/** Per-module gradient norms before clipping: `grad_norm.<group>`; `grad_norm` over all of them. */
export const GRAD_NORM = "grad_norm";
/** A term's share of the gradient norm at the student tokens the terms read: `grad_share.<term>`, summing to 1. */
export const GRAD_SHARE = "grad_share";

/** The student parameter a teacher parameter copies: `teacher.X` → `X` (other names unchanged). */
export function studentName(name: string): string {
  return name.startsWith(TEACHER) ? name.slice(TEACHER.length) : name;
}

/** The parameter a state tensor belongs to, without its role prefix (`teacher.x`, `opt_m.x` → `x`). */
export function paramOfState(name: string): string {
  for (const p of STATE_PREFIXES) if (name.startsWith(p)) return name.slice(p.length);
  return name;
}
