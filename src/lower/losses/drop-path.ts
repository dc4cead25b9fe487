// Stochastic depth of the student (reference §7.2 drop path, §12.27) with its randomness as graph inputs. DINOv2's
// list forward drops residual branches by *batch subset*: per block, branch and crop set it keeps a random subset
// of ⌊b·(1 − rate)⌋ samples (at least 1) and adds their residual scaled by b/subset. The host draws the subsets and
// feeds, per crop set, a float tensor [depth, 2, N] holding b/subset for kept samples and 0 for dropped ones (axis 1:
// attention branch, then FFN branch); the graph computes x + scale·branch, the same numbers as index_add on the
// subset. The teacher never drops (§6).
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";

export type ResidualFn = (x: Value, branch: Value, blockIndex: number, which: "attn" | "ffn") => Value;

export interface DropPath {
  residual(g: GraphBuilder, set: "global" | "local"): ResidualFn | undefined;
}

/** scales: per crop set, the [depth, 2, N] input (absent sets run without drop path) */
export function dropPathResiduals(scales: { readonly global?: Value; readonly local?: Value }): DropPath {
  return {
    residual(g, set) {
      const s = scales[set];
      if (!s) return undefined;
      const n = s.shape[2]!;
      return (x, branch, i, which) => {
        const j = which === "attn" ? 0 : 1;
        const scale = g.reshape(g.slice(s, [i, j], [i + 1, j + 1], [0, 1]), [n, 1, 1]);
        return g.add(x, g.mul(branch, scale));
      };
    },
  };
}
