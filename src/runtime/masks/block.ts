// DINOv2's block-mask generator (reference §4.2, [D dinov2/data/masking.py MaskingGenerator]): a union of random
// axis-aligned rectangles, added until the target count is reached or a round of 10 tries adds nothing, so the result
// can fall short of the target. Rectangles must fit inside the grid, so central patches are masked more often than
// border ones (what Franca's cyclic mask corrects).
import type { Rng } from "../rng.js";
import { logAspectRange, type MaskGenerator, type MaskGeneratorOptions } from "./generator.js";

export interface BlockMaskOptions extends MaskGeneratorOptions {
  /** largest number of patches one call of the inner loop may add (default: dinov2MaxNumPatches-style half grid) */
  readonly maxNumPatches?: number;
  /** smallest rectangle area tried (4 in DINOv2) */
  readonly minNumPatches?: number;
}

/**
 * DINOv2 evaluates `0.5 * img_size // patch_size * img_size // patch_size` left to right with floor divisions
 * ([D dinov2/train/train.py]): 128 for 224/14, 98 for 224/16, but 666 rather than 684.5 for 518/14 (§4.2).
 */
export function dinov2MaxNumPatches(imageSize: number, patchSize: number): number {
  return Math.floor((Math.floor((0.5 * imageSize) / patchSize) * imageSize) / patchSize);
}

/** Python's round(): half to even (used by `int(round(…))` in the reference). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export class BlockMaskGenerator implements MaskGenerator {
  readonly kind = "block";
  readonly gridH: number;
  readonly gridW: number;
  readonly maxNumPatches: number;
  readonly minNumPatches: number;
  private readonly logAspect: readonly [number, number];

  constructor(options: BlockMaskOptions) {
    this.gridH = options.gridH;
    this.gridW = options.gridW;
    this.maxNumPatches = options.maxNumPatches ?? Math.floor(0.5 * this.gridH * this.gridW);
    this.minNumPatches = options.minNumPatches ?? 4;
    this.logAspect = logAspectRange("block", options.minAspect);
  }

  generate(count: number, rng: Rng): Uint8Array {
    const mask = new Uint8Array(this.gridH * this.gridW);
    let masked = 0;
    while (masked < count) {
      const budget = Math.min(count - masked, this.maxNumPatches);
      const delta = this.addRectangle(mask, budget, rng);
      if (delta === 0) break;
      masked += delta;
    }
    return mask;
  }

  // One round of up to 10 tries; returns how many patches it newly masked.
  private addRectangle(mask: Uint8Array, budget: number, rng: Rng): number {
    const { gridH, gridW } = this;
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = rng.uniform(this.minNumPatches, budget);
      const aspect = Math.exp(rng.uniform(this.logAspect[0], this.logAspect[1]));
      const h = roundHalfEven(Math.sqrt(area * aspect));
      const w = roundHalfEven(Math.sqrt(area / aspect));
      if (w < gridW && h < gridH) {
        const top = rng.int(0, gridH - h);
        const left = rng.int(0, gridW - w);
        let already = 0;
        for (let i = top; i < top + h; i++)
          for (let j = left; j < left + w; j++) already += mask[i * gridW + j]!;
        const fresh = h * w - already;
        if (fresh > 0 && fresh <= budget) {
          for (let i = top; i < top + h; i++) mask.fill(1, i * gridW + left, i * gridW + left + w);
          return fresh;
        }
      }
    }
    return 0;
  }
}
