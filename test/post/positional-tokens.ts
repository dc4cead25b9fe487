// Synthetic patch tokens with a known amount of position in them, for RASA tests that must not depend on a trained
// backbone: token (r, c) of image i = content noise + A·φ(r, c), where φ holds sines and cosines of the normalised
// grid position at a few frequencies (a smooth "position embedding", non-linear in r and c like a learned one) and
// A is a random [D, F] mixing. A linear probe can read the position well from such tokens; once RASA has removed
// enough directions it cannot.
import { Rng } from "../../src/runtime/rng.js";
import type { TokenSet } from "../../src/runtime/post/rasa.js";

export function positionalTokens(opts: {
  images: number;
  grid: number;
  dim: number;
  frequencies: number;
  positionScale: number;
  seed: number;
}): TokenSet {
  const { images, grid, dim, frequencies, seed } = opts;
  const rng = Rng.derive(seed, "positional-tokens");
  const f = 4 * frequencies;
  const mix = Float64Array.from({ length: dim * f }, () => rng.normal() / Math.sqrt(f));
  const p = grid * grid;
  const pos = new Float64Array(p * dim);
  for (let r = 0; r < grid; r++)
    for (let c = 0; c < grid; c++) {
      const phi: number[] = [];
      for (let k = 1; k <= frequencies; k++)
        for (const u of [r / (grid - 1), c / (grid - 1)])
          phi.push(Math.sin(k * Math.PI * u), Math.cos(k * Math.PI * u));
      for (let d = 0; d < dim; d++) {
        let s = 0;
        for (let j = 0; j < f; j++) s += mix[d * f + j]! * phi[j]!;
        pos[(r * grid + c) * dim + d] = opts.positionScale * s;
      }
    }
  const tokens = new Float32Array(images * p * dim);
  for (let i = 0; i < images; i++)
    for (let t = 0; t < p * dim; t++) tokens[i * p * dim + t] = rng.normal() + pos[t]!;
  return { tokens, images, rows: grid, cols: grid, dim };
}
