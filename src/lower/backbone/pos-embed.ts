// Position-embedding resampling in the graph (reference §1.5): the learned grid G [M, M, D] becomes Wy · G · Wxᵀ
// per channel with the constant matrices of interpolation.ts — exact PyTorch semantics, differentiable with plain
// MatMuls, and folded away by onnxruntime when pos_embed is a constant (inference). The CLS row passes through.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { needsResize, resizeMatrix, type ResizeRule } from "./interpolation.js";

/** pos_embed [1, 1 + M², D] → [1, 1 + gh·gw, D]; unchanged when DINOv2 would skip the resize (gh = gw = M). */
export function resizePosEmbed(
  g: GraphBuilder,
  posEmbed: Value,
  rule: ResizeRule,
  gh: number,
  gw: number,
): Value {
  const rows = posEmbed.shape[1] as number;
  const d = posEmbed.shape[2] as number;
  const m = Math.round(Math.sqrt(rows - 1));
  if (!needsResize(m, gh, gw)) return posEmbed;
  const cls = g.slice(posEmbed, [0], [1], [1]);
  const grid = g.reshape(g.slice(posEmbed, [1], [rows], [1]), [m, m * d]);
  const wy = g.constant(Float32Array.from(resizeMatrix(rule, m, gh)), "float32", [gh, m]);
  const wx = g.constant(Float32Array.from(resizeMatrix(rule, m, gw)), "float32", [gw, m]);
  const alongRows = g.reshape(g.matmul(wy, grid), [gh, m, d]); // [gh, M, D]
  const both = g.matmul(wx, alongRows); // [gw, M] · [gh, M, D] → [gh, gw, D]
  return g.concat([cls, g.reshape(both, [1, gh * gw, d])], 1);
}
