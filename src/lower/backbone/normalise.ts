// The backbone's input normalisation (reference §5): pixels arrive RGB in [0, 1] and every graph that runs the ViT —
// inference, the training step's teacher and student, the MAE reconstruction target — normalises them the same way.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";

/** (pixels − mean) / std per channel, as torchvision's Normalize computes it. */
export function normalisePixels(
  g: GraphBuilder,
  pixels: Value,
  mean: readonly number[],
  std: readonly number[],
): Value {
  const c = mean.length;
  const m = g.constant(Float32Array.from(mean), "float32", [1, c, 1, 1]);
  const s = g.constant(Float32Array.from(std), "float32", [1, c, 1, 1]);
  return g.div(g.sub(pixels, m), s);
}
