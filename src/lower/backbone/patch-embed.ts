// Patch embedding (reference §1.2 step 1): Conv2d(C→D, kernel p, stride p) written as a reshape to non-overlapping
// p×p patches and one MatMul. The two are the same sum over (c, kh, kw); the MatMul form needs no Conv gradient
// and lets onnxruntime run one GEMM over N·P rows. Output rows are the grid in row-major order (row = image y).
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { assert } from "../../diagnostics/diagnostic.js";
import { linear } from "../../graph/composite/linear.js";

/** pixels [N, C, H, W] (normalised), weight [D, C, p, p], bias [D] → tokens [N, gh·gw, D] */
export function patchEmbed(g: GraphBuilder, pixels: Value, weight: Value, bias: Value, patch: number): Value {
  const [n, c, h, w] = pixels.shape;
  assert(
    typeof c === "number" && typeof h === "number" && typeof w === "number",
    "pixels need static C, H, W",
  );
  assert(h % patch === 0 && w % patch === 0, `image ${h}×${w} is not a multiple of the patch ${patch}`);
  const gh = h / patch;
  const gw = w / patch;
  const d = weight.shape[0]!;
  const blocks = g.reshape(pixels, [n!, c, gh, patch, gw, patch]);
  const patches = g.reshape(g.transpose(blocks, [0, 2, 4, 1, 3, 5]), [n!, gh * gw, c * patch * patch]);
  return linear(g, patches, g.reshape(weight, [d, c * patch * patch]), bias);
}
