// What a recipe costs: parameter counts, FLOPs and a training-step activation-memory estimate (`vfmc info`).
//
// Parameters follow the state-dict shapes of §1.3 (cls_token, pos_embed, mask_token, registers, LayerScale
// included) and §2.1/§2.2 for the heads; they reproduce the reference tables (ViT-S/14 22.06 M … g 1,136.48 M).
// Nested (Matryoshka) heads use the F+ projection Linear(d→d) on the first d channels (§2.2).
//
// FLOPs count matrix products only, 2 per multiply-accumulate (LayerNorm, softmax, GELU and adds are a few
// percent and left out):
//   backbone forward on one image of side S: T = 1 + R + (S/p)² tokens,
//     patch embed 2·P·D·C·p² + per block [qkv 2·T·D·3D (+ attention 2·2·T²·D) + proj 2·T·D² + FFN]
//     with FFN = 2·T·2·D·H (mlp) or 2·T·3·D·H (swiglu, H its hidden width);
//   head on one token: its linears (projection, MLP, prototypes) at 2 FLOPs per weight.
//   inference per image = backbone forward at export.resolution.
//   training step (per device, batch B, G global and L local crops):
//     teacher forward  = G·B global backbones + DINO head on G·B CLS + iBOT head on the masked tokens;
//     student forward  = G·B global + L·B local backbones + DINO head on (G+L)·B CLS + iBOT head on masked tokens;
//     step = teacher forward + 3 × student forward (backward ≈ 2 × forward).
//   masked tokens = int(G·B·masking.images) images × mean mask ratio × patches per global crop.
// Activation memory (fp32, what backward keeps): per student image and block T·(8·D + FFN activations) floats
// for the token tensors plus 2·h·T² for attention scores and probabilities; a rough estimate, not a measurement.
import type { Head, ModelIR } from "./model.js";
import { gridOf } from "./model.js";

export interface ParamCounts {
  readonly backbone: number;
  readonly dinoHead: number;
  /** 0 when iBOT shares the DINO head or is off */
  readonly ibotHead: number;
  readonly heads: number;
  readonly total: number;
}

export interface Costs {
  readonly params: ParamCounts;
  readonly flops: { readonly inferPerImage: number; readonly trainPerStep: number };
  readonly memory: {
    /** student activations kept for backward, one training step at train.batch */
    readonly activationBytes: number;
    /** student + teacher weights, gradients and two AdamW moments, fp32 */
    readonly stateBytes: number;
  };
}

export function backboneParams(m: ModelIR): number {
  const b = m.backbone;
  const D = b.dim;
  const H = b.ffnHidden;
  const embed = D * m.input.channels * b.patch * b.patch + D;
  const tokens = D /* cls */ + D /* mask_token */ + b.registers * D + (1 + b.posGrid * b.posGrid) * D;
  const ffn = b.ffn === "swiglu" ? D * 2 * H + 2 * H + H * D + D : D * H + H + H * D + D;
  const block =
    2 * D + 3 * D * D + (b.qkvBias ? 3 * D : 0) + D * D + D + 2 * D + ffn + (b.layerscale > 0 ? 2 * D : 0);
  return embed + tokens + b.depth * block + 2 * D;
}

/** Weights of the MLP from `width` to the bottleneck: Linear(in→hid), (layers−2)×Linear(hid→hid), Linear(hid→bot). */
function mlpLinears(h: Head, width: number): [number, number][] {
  if (h.layers === 1) return [[width, h.bottleneck]];
  return [
    [width, h.hidden],
    ...Array.from({ length: h.layers - 2 }, (): [number, number] => [h.hidden, h.hidden]),
    [h.hidden, h.bottleneck],
  ];
}

/** Parameters of a head (all levels); the last layer is weight-normed: weight_v [K,bot] + weight_g [K,1]. */
export function headParams(h: Head, dim: number): number {
  let n = 0;
  for (const level of h.levels) {
    const width = h.nested > 1 ? level.width : dim;
    if (h.nested > 1) n += width * width + width; // F+ projection on the first d channels
    for (const [i, o] of mlpLinears(h, width)) n += i * o + o;
    n += level.prototypes * h.bottleneck + level.prototypes;
  }
  return n;
}

/** FLOPs of a head on one token (2 per weight of every linear). */
function headFlops(h: Head, dim: number): number {
  let n = 0;
  for (const level of h.levels) {
    const width = h.nested > 1 ? level.width : dim;
    if (h.nested > 1) n += 2 * width * width;
    for (const [i, o] of mlpLinears(h, width)) n += 2 * i * o;
    n += 2 * level.prototypes * h.bottleneck;
  }
  return n;
}

function tokensAt(m: ModelIR, size: number): number {
  const g = gridOf(size, m.backbone.patch);
  return 1 + m.backbone.registers + g * g;
}

export function backboneFlops(m: ModelIR, size: number): number {
  const b = m.backbone;
  const D = b.dim;
  const g = gridOf(size, b.patch);
  const T = tokensAt(m, size);
  const embed = 2 * g * g * D * m.input.channels * b.patch * b.patch;
  const ffn = b.ffn === "swiglu" ? 2 * T * 3 * D * b.ffnHidden : 2 * T * 2 * D * b.ffnHidden;
  const block = 2 * T * D * 3 * D + 2 * 2 * T * T * D + 2 * T * D * D + ffn;
  return embed + b.depth * block;
}

function maskedTokens(m: ModelIR): number {
  if (m.masking.kind === "none" || !m.heads.ibot) return 0;
  const images = Math.floor(m.crops.global.count * m.train.batch * m.masking.images);
  const g = gridOf(m.crops.global.size, m.backbone.patch);
  return Math.round(images * ((m.masking.ratio.lo + m.masking.ratio.hi) / 2) * g * g);
}

function activationFloats(m: ModelIR, size: number): number {
  const b = m.backbone;
  const T = tokensAt(m, size);
  const ffn = b.ffn === "swiglu" ? 3 * b.ffnHidden : 2 * b.ffnHidden;
  return b.depth * (T * (8 * b.dim + ffn) + 2 * b.heads * T * T);
}

export function costs(m: ModelIR): Costs {
  const D = m.backbone.dim;
  const backbone = backboneParams(m);
  const dinoHead = headParams(m.heads.dino, D);
  const ibotHead = m.heads.ibot?.separate ? headParams(m.heads.ibot, D) : 0;
  const heads = dinoHead + ibotHead;
  const total = backbone + heads;

  const B = m.train.batch;
  const { global, local } = m.crops;
  const globals = global.count * B;
  const locals = local.count * B;
  const ibotHeadFlops = m.heads.ibot ? headFlops(m.heads.ibot, D) * maskedTokens(m) : 0;
  const dinoFlops = headFlops(m.heads.dino, D);
  const teacher = globals * backboneFlops(m, global.size) + globals * dinoFlops + ibotHeadFlops;
  const student =
    globals * backboneFlops(m, global.size) +
    (locals > 0 ? locals * backboneFlops(m, local.size) : 0) +
    (globals + locals) * dinoFlops +
    ibotHeadFlops;

  const activations =
    globals * activationFloats(m, global.size) + (locals > 0 ? locals * activationFloats(m, local.size) : 0);
  return {
    params: { backbone, dinoHead, ibotHead, heads, total },
    flops: { inferPerImage: backboneFlops(m, m.export.resolution), trainPerStep: teacher + 3 * student },
    memory: { activationBytes: 4 * activations, stateBytes: 4 * total * 5 },
  };
}
