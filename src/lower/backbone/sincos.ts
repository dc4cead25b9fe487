// MAE's fixed 2-D sine-cosine position table (facebookresearch/mae util/pos_embed.py get_2d_sincos_pos_embed,
// after MoCo v3): for a G×G grid and width D, patch (row i, column j) gets [f(j), f(i)] where f(p) of width D/2 is
// [sin(p·ω_k), cos(p·ω_k)] for ω_k = 10000^(−k/(D/4)), k < D/4 — the column comes first, as the reference's
// meshgrid puts w first. A zero row for the CLS token leads. Computed in float64 and rounded to float32, as the
// reference computes it in NumPy float64 and copies it into a float32 tensor.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { InternalError } from "../../diagnostics/diagnostic.js";

/** [1 + G², D] row-major, CLS row first. */
export function sincosTable(dim: number, grid: number): Float32Array {
  if (dim % 4 !== 0)
    throw new InternalError(`a sin-cos position table needs a width divisible by 4, got ${dim}`);
  const quarter = dim / 4;
  const omega = Array.from({ length: quarter }, (_, k) => 1 / 10000 ** (k / quarter));
  const out = new Float32Array((1 + grid * grid) * dim);
  for (let i = 0; i < grid; i++)
    for (let j = 0; j < grid; j++) {
      const row = (1 + i * grid + j) * dim;
      for (const [half, p] of [
        [0, j],
        [1, i],
      ] as const)
        for (let k = 0; k < quarter; k++) {
          out[row + half * 2 * quarter + k] = Math.sin(p * omega[k]!);
          out[row + half * 2 * quarter + quarter + k] = Math.cos(p * omega[k]!);
        }
    }
  return out;
}

const tables = new WeakMap<GraphBuilder, Map<string, Value>>();

/** The table as a graph constant [1, 1 + G², D], one per graph and size. */
export function sincosPosEmbed(g: GraphBuilder, dim: number, grid: number): Value {
  let byKey = tables.get(g);
  if (!byKey) tables.set(g, (byKey = new Map()));
  const key = `${dim}x${grid}`;
  let v = byKey.get(key);
  if (!v) byKey.set(key, (v = g.constant(sincosTable(dim, grid), "float32", [1, 1 + grid * grid, dim])));
  return v;
}
