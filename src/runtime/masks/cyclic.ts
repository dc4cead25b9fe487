// Franca's CyclicMask (reference §4.3, [F franca/data/masking.py]): draw ONE visible rectangle holding exactly the
// visible count c = N − n (its first c cells in row-major order), roll the grid by a uniform random offset with
// wrap-around (torus), and mask the complement. Every masked count is hit exactly, and because of the roll every
// grid position is equally likely to be masked.
import type { Rng } from "../rng.js";
import { logAspectRange, type MaskGenerator, type MaskGeneratorOptions } from "./generator.js";

export class CyclicMaskGenerator implements MaskGenerator {
  readonly kind = "cyclic";
  readonly gridH: number;
  readonly gridW: number;
  private readonly logAspect: readonly [number, number];

  constructor(options: MaskGeneratorOptions) {
    this.gridH = options.gridH;
    this.gridW = options.gridW;
    this.logAspect = logAspectRange("cyclic", options.minAspect);
  }

  generate(count: number, rng: Rng): Uint8Array {
    const { gridH, gridW } = this;
    const total = gridH * gridW;
    if (count <= 0) return new Uint8Array(total);
    if (count >= total) return new Uint8Array(total).fill(1);
    const visible = total - count;

    // Aspect range narrowed so the block fits: h = √(c·a) ≤ gridH and w = √(c/a) ≤ gridW (§4.3 step 1).
    const hi = Math.min(this.logAspect[1], Math.log((gridH * gridH) / (visible + 1e-5)));
    const lo = Math.min(Math.max(this.logAspect[0], Math.log(visible / (gridW * gridW))), hi);
    const aspect = Math.exp(rng.uniform(lo, hi));
    let h = Math.min(Math.ceil(Math.sqrt(visible * aspect)), gridH);
    let w = Math.min(Math.ceil(Math.sqrt(visible / aspect)), gridW);
    // Only reachable on very elongated grids, where the clipped sides cannot hold c cells: widen to full rows so the
    // count stays exact (the property the method exists for).
    if (h * w < visible) {
      w = gridW;
      h = Math.ceil(visible / gridW);
    }
    const top = rng.int(0, gridH - h);
    const left = rng.int(0, gridW - w);
    const shiftRows = rng.int(0, gridH - 1);
    const shiftCols = rng.int(0, gridW - 1);

    const mask = new Uint8Array(total).fill(1);
    for (let k = 0; k < visible; k++) {
      // k-th cell of the rectangle in row-major order, then rolled: new[(r + sr) % H][(c + sc) % W] = old[r][c].
      const r = (top + Math.floor(k / w) + shiftRows) % gridH;
      const c = (left + (k % w) + shiftCols) % gridW;
      mask[r * gridW + c] = 0;
    }
    return mask;
  }
}
