// The typed model IR: what a checked .vfm model means, as readonly plain data. Every default is filled in and
// every duration is resolved to optimiser steps, so later stages (graph lowering, runtime) never consult the
// schema or the AST. Spans live in a side table keyed by the spec path ("backbone.dim", "crops.local.size",
// "input.mean[1]") so a later stage can still point a diagnostic at the spec text.
// Sections cited as §n (here and throughout the code) refer to docs/reference.md, which cites the upstream files.
import type { Span } from "../diagnostics/diagnostic.js";

export interface ModelIR {
  readonly name: string;
  /** the file that declares the model */
  readonly file: string;
  /** the extends chain, this model first: ["franca_vitl14", "dinov2_vitl14", "dinov2_base"] */
  readonly chain: readonly string[];
  readonly input: Input;
  readonly backbone: Backbone;
  readonly crops: Crops;
  readonly masking: Masking;
  readonly heads: Heads;
  /** the MAE decoder; null unless the model's terms include mae */
  readonly decoder: Decoder | null;
  readonly losses: Losses;
  readonly teacher: Teacher;
  readonly optim: Optim;
  readonly train: Train;
  readonly post: Post;
  readonly export: Export;
  /** spec path → where it was written; absent for values that came from defaults */
  readonly spans: ReadonlyMap<string, Span>;
}

/** inclusive `lo .. hi` */
export interface Range {
  readonly lo: number;
  readonly hi: number;
}

export interface Input {
  readonly size: number; // px, square
  readonly channels: number;
  readonly mean: readonly number[]; // one per channel
  readonly std: readonly number[];
}

export type Ffn = "mlp" | "swiglu";
export type Interpolation = "bicubic" | "bicubic_antialias";
/** learned: a trained parameter (DINOv2); sincos: MAE's fixed 2-D sine-cosine table, a constant */
export type PosEmbedKind = "learned" | "sincos";
/** initialisation from scratch: DINOv2's (§1.6) or MAE's (models_mae.py initialize_weights) */
export type InitScheme = "dinov2" | "mae";

/** The ViT of §1 (identical in DINOv2 and Franca). */
export interface Backbone {
  readonly kind: "vit";
  readonly patch: number;
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly headDim: number; // dim / heads
  readonly mlpRatio: number;
  readonly ffn: Ffn;
  /** hidden width of the FFN: mlp → round(dim·mlp_ratio); swiglu → swigluHidden(dim, mlp_ratio) (§1.1) */
  readonly ffnHidden: number;
  readonly qkvBias: boolean;
  readonly registers: number;
  /** LayerScale init value; 0 means the model has no LayerScale (no ls1/ls2 gammas) */
  readonly layerscale: number;
  readonly dropPath: number;
  /** side M of the learned position-embedding grid (pos_embed has 1 + M² rows) */
  readonly posGrid: number;
  readonly interpolate: Interpolation;
  readonly interpolateOffset: number;
  readonly posEmbed: PosEmbedKind;
  readonly init: InitScheme;
}

export interface CropSet {
  readonly count: number;
  readonly size: number; // px
  readonly scale: Range; // RandomResizedCrop area fraction
}

/** A probability per crop kind: the two global crops differ in DINOv2 (§5 blur/solarize). */
export interface PerCrop {
  readonly global1: number;
  readonly global2: number;
  readonly local: number;
}

export interface Augment {
  readonly flip: PerCrop;
  readonly grayscale: PerCrop;
  readonly jitter: {
    readonly p: PerCrop;
    readonly brightness: number;
    readonly contrast: number;
    readonly saturation: number;
    readonly hue: number;
  };
  /** effective probabilities (§5: DINOv2's nominal 1.0/0.1/0.5 are applied as 0.0/0.9/0.5) */
  readonly blur: { readonly p: PerCrop; readonly sigma: Range; readonly kernel: number };
  readonly solarize: { readonly p: PerCrop; readonly threshold: number };
}

export interface Crops {
  readonly global: CropSet;
  readonly local: CropSet;
  readonly augment: Augment;
}

export type MaskingKind = "none" | "block" | "cyclic" | "random";

/** §4: which global crops are masked and how much; `random`: MAE's removal of patches from the encoder. */
export interface Masking {
  readonly kind: MaskingKind;
  readonly ratio: Range; // stratified mask ratios (§4.1); random: lo = hi = the removed fraction
  readonly images: number; // fraction of global crops that are masked (0.5)
  readonly minAspect: number; // block and cyclic: 0.3
  readonly minPatches: number; // block only: 4 (§4.2)
}

/** One Matryoshka level (§2.2): a full head on the first `width` channels. */
export interface HeadLevel {
  readonly width: number;
  readonly prototypes: number; // int(K · width / D)
}

export interface Head {
  readonly layers: number; // MLP linears (3)
  readonly hidden: number;
  readonly bottleneck: number;
  /** K of the full-width level */
  readonly prototypes: number;
  /** L2-normalise the bottleneck before the weight-normed last layer (DINOv2 yes, Franca MRL no) */
  readonly l2norm: boolean;
  /** GELU after the bottleneck linear (Franca MRL heads) */
  readonly geluAfterBottleneck: boolean;
  /** number of Matryoshka levels; 1 = a plain DINOv2 head */
  readonly nested: number;
  /**
   * widths D/2^(n-1) … D/2, D with their prototype counts, narrowest first; one entry when not nested.
   * Nested levels use the F+ projection: Linear(d→d) on the first d channels (§2.2).
   */
  readonly levels: readonly HeadLevel[];
}

export interface IbotHead extends Head {
  /** false: iBOT reuses the DINO head (and `levels` etc. equal the DINO head's) */
  readonly separate: boolean;
}

export interface Heads {
  readonly dino: Head;
  /** null when the iBOT loss is off (losses.ibot.weight 0, e.g. DINO v1) */
  readonly ibot: IbotHead | null;
}

export type Targets = "centering" | "sinkhorn";

export interface ClsLoss {
  readonly weight: number;
  readonly targets: Targets;
  readonly sinkhornIterations: number;
  readonly centerMomentum: number;
  readonly studentTemp: number;
  readonly teacherTemp: Schedule;
}

export interface Losses {
  /** the loss terms of the model's objective (`losses` sections), in registry order; others keep their defaults */
  readonly terms: readonly string[];
  readonly dino: ClsLoss;
  /** weight 0 = off; the other fields default to the DINO loss's */
  readonly ibot: ClsLoss;
  readonly koleo: { readonly weight: number };
  /** null unless the model's terms include mae */
  readonly mae: MaeLoss | null;
}

/** The MAE decoder (He et al. 2022, §3): pre-norm blocks of its own width. */
export interface Decoder {
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlpRatio: number;
  /** round(dim · mlp_ratio), the FFN hidden width */
  readonly ffnHidden: number;
}

/** MAE's reconstruction loss. */
export interface MaeLoss {
  readonly weight: number;
  /** per-patch normalised pixel targets (unbiased variance, eps 1e-6) */
  readonly normPix: boolean;
}

export interface Teacher {
  readonly momentum: Schedule;
}

export type LrScaling = "none" | "sqrt_wrt_1024" | "linear_wrt_256";

export interface Optim {
  readonly kind: "adamw";
  readonly betas: readonly [number, number];
  readonly eps: number;
  /** lr as written (before scaling): from = base lr, to = min_lr */
  readonly baseLr: number;
  readonly minLr: number;
  readonly lrScaling: LrScaling;
  /** the schedule the optimiser follows: base lr × scaling factor (batch × devices), min_lr unscaled (§7.1) */
  readonly lr: Schedule;
  readonly warmupSteps: number;
  readonly weightDecay: Schedule;
  readonly layerDecay: number; // 1.0 = off (§7.2)
  readonly patchEmbedLr: number; // lr multiplier for patch_embed.*
  readonly clip: number; // per sub-module grad-norm clip, 0 = off
  /** last_layer lr is 0 for this many steps (freeze_last_layer epochs × epoch_length) */
  readonly freezeLastLayerSteps: number;
}

export interface Train {
  readonly batch: number; // images per device per step
  readonly devices: number; // data-parallel replicas the recipe was written for; lr scaling uses batch × devices
  readonly epochs: number;
  readonly epochLength: number; // steps per "epoch" (1250 in both repos, §7.1)
  readonly totalSteps: number; // epochs × epochLength
  readonly seed: number;
}

export interface Post {
  /** RASA (§8): number of rounds, or null for none */
  readonly rasa: { readonly rounds: number } | null;
}

export type ExportOutput = "cls" | "patch_tokens" | "registers" | "patch_tokens_rasa";

export interface Export {
  readonly resolution: number; // px, square
  readonly outputs: readonly ExportOutput[];
}

export type ScheduleShape = "linear" | "cosine" | "constant";

/**
 * A per-step value (§7.1). `warmupSteps` ramp linearly from 0 to `from` (inclusive linspace); then `shape` goes
 * from `from` to `to` over the remaining `overSteps - warmupSteps` steps; at and after `overSteps` the value is
 * `to`. A constant schedule is `from` everywhere (warmup still applies).
 */
export interface Schedule {
  readonly shape: ScheduleShape;
  readonly from: number;
  readonly to: number;
  readonly warmupSteps: number;
  /** total length including warmup, already resolved (`over` or the whole training run) */
  readonly overSteps: number;
}

/**
 * The value of a schedule at `step` (0-based), exactly as DINOv2's CosineScheduler builds its table:
 * warmup = linspace(0, from, W) with both ends included; cosine part j = 0..T-W-1:
 * to + ½(from − to)(1 + cos(πj/(T−W))); linear part = linspace(from, to, T−W) (the teacher-temperature rule,
 * which DINOv2 expresses as a warmup with T = W); `to` from T on.
 */
export function scheduleValue(s: Schedule, step: number): number {
  const W = s.warmupSteps;
  const T = s.overSteps;
  if (step < W) return W === 1 ? 0 : (s.from * step) / (W - 1);
  if (s.shape === "constant") return s.from;
  if (step >= T) return s.to;
  const j = step - W;
  const n = T - W;
  if (s.shape === "cosine") return s.to + 0.5 * (s.from - s.to) * (1 + Math.cos((Math.PI * j) / n));
  return n === 1 ? s.from : s.from + ((s.to - s.from) * j) / (n - 1);
}

/** SwiGLUFFNFused hidden width (§1.1): ((int(D·ratio·2/3) + 7) // 8) · 8 — 1024/2048/2736/4096 for S/B/L/g. */
export function swigluHidden(dim: number, mlpRatio: number): number {
  return Math.floor((Math.floor((dim * mlpRatio * 2) / 3) + 7) / 8) * 8;
}

/** Matryoshka widths D/2^(n-1) … D (§2.2) with prototypes int(K·d/D); n = 1 gives [{D, K}]. */
export function nestedLevels(dim: number, nested: number, prototypes: number): HeadLevel[] {
  const levels: HeadLevel[] = [];
  for (let k = nested - 1; k >= 0; k--) {
    const width = dim / 2 ** k;
    levels.push({ width, prototypes: Math.floor((prototypes * width) / dim) });
  }
  return levels;
}

/** lr multiplier of the scaling rule for a global batch (§7.1). */
export function lrScale(rule: LrScaling, globalBatch: number): number {
  if (rule === "sqrt_wrt_1024") return Math.sqrt(globalBatch / 1024);
  if (rule === "linear_wrt_256") return globalBatch / 256;
  return 1;
}

/** patches per side at a resolution */
export function gridOf(size: number, patch: number): number {
  return Math.floor(size / patch);
}

/**
 * The span for a spec path, falling back to the nearest written ancestor ("heads.dino.nested" → "heads.dino" →
 * "heads") and finally to the model name, so a diagnostic about a defaulted value still lands on the model.
 */
export function spanOf(model: ModelIR, path: string): Span | undefined {
  for (let p = path; p; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
    const s = model.spans.get(p);
    if (s) return s;
  }
  return model.spans.get("model");
}
