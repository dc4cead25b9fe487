// What a backbone costs (`vfmc info`, the editor): parameter counts, FLOPs of a forward pass and the activations a
// training step keeps. The heads and the whole step are costed with the model's loss terms (src/lower/cost.ts).
//
// Parameters follow the state-dict shapes of §1.3 (cls_token, pos_embed, mask_token, registers, LayerScale
// included); they reproduce the reference tables (ViT-S/14 22.06 M … g 1,136.48 M).
//
// FLOPs count matrix products only, 2 per multiply-accumulate (LayerNorm, softmax, GELU and adds are a few
// percent and left out): on one image of side S, T = 1 + R + (S/p)² tokens,
//     patch embed 2·P·D·C·p² + per block [qkv 2·T·D·3D (+ attention 2·2·T²·D) + proj 2·T·D² + FFN]
//     with FFN = 2·T·2·D·H (mlp) or 2·T·3·D·H (swiglu, H its hidden width).
// Activation memory (fp32, what backward keeps): per student image and block T·(8·D + FFN activations) floats
// for the token tensors plus 2·h·T² for attention scores and probabilities; a rough estimate, not a measurement.
import type { ModelIR } from "./model.js";
import { gridOf } from "./model.js";

export function backboneParams(m: ModelIR): number {
  const b = m.backbone;
  const D = b.dim;
  const H = b.ffnHidden;
  const embed = D * m.input.channels * b.patch * b.patch + D;
  const maskToken = m.masking.kind === "random" ? 0 : D; // MAE's backbone has none (its decoder does)
  const posEmbed = b.posEmbed === "learned" ? (1 + b.posGrid * b.posGrid) * D : 0; // sincos: a fixed table
  const tokens = D /* cls */ + maskToken + b.registers * D + posEmbed;
  const ffn = b.ffn === "swiglu" ? D * 2 * H + 2 * H + H * D + D : D * H + H + H * D + D;
  const block =
    2 * D + 3 * D * D + (b.qkvBias ? 3 * D : 0) + D * D + D + 2 * D + ffn + (b.layerscale > 0 ? 2 * D : 0);
  return embed + tokens + b.depth * block + 2 * D;
}

function tokensAt(m: ModelIR, size: number): number {
  const g = gridOf(size, m.backbone.patch);
  return 1 + m.backbone.registers + g * g;
}

/**
 * One pre-norm block on T tokens of width D: qkv, attention scores and mix, projection, and an FFN of `matrices`
 * D×H weight matrices (2 for the GELU MLP, 3 for SwiGLU).
 */
export function blockFlops(dim: number, matrices: number, hidden: number, tokens: number): number {
  const T = tokens;
  const D = dim;
  return 2 * T * D * 3 * D + 2 * 2 * T * T * D + 2 * T * D * D + 2 * T * matrices * D * hidden;
}

export function backboneFlops(m: ModelIR, size: number): number {
  const b = m.backbone;
  const D = b.dim;
  const g = gridOf(size, b.patch);
  const T = tokensAt(m, size);
  const embed = 2 * g * g * D * m.input.channels * b.patch * b.patch;
  return embed + b.depth * blockFlops(D, b.ffn === "swiglu" ? 3 : 2, b.ffnHidden, T);
}

/** Floats a training step keeps per image of side `size` for the backward pass. */
export function activationFloats(m: ModelIR, size: number): number {
  const b = m.backbone;
  const T = tokensAt(m, size);
  const ffn = b.ffn === "swiglu" ? 3 * b.ffnHidden : 2 * b.ffnHidden;
  return b.depth * (T * (8 * b.dim + ffn) + 2 * b.heads * T * T);
}

/**
 * Bytes one image needs while an inference graph runs at export.resolution: the activations of one block (the
 * runtime frees each block's intermediates before the next), fp32. A rough estimate, like the training one.
 */
export function inferBytesPerImage(m: ModelIR): number {
  return (4 * activationFloats(m, m.export.resolution)) / m.backbone.depth;
}
