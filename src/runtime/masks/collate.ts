// Which global crops get masked and how much (reference §4.1, [D dinov2/data/collate.py], same in Franca):
// exactly ⌊n_img·p⌋ of the n_img = 2B global crops are masked (not a per-image coin), with stratified ratios —
// image k draws its ratio from [probs[k], probs[k+1]] where probs = linspace(r_min, r_max, n_masked + 1) — and the
// list of masks is shuffled so masked crops land anywhere in the batch.
import { InternalError } from "../../diagnostics/diagnostic.js";
import type { Rng } from "../rng.js";
import type { MaskGenerator } from "./generator.js";

/** The `.vfm` `masking` section's keys: `masking block { ratio 0.1 .. 0.5, images 0.5 }`. */
export interface MaskingOptions {
  /** inclusive range of masked-patch ratios (`ratio r_min .. r_max`) */
  readonly ratio: readonly [number, number];
  /** fraction of global crops that are masked (`images`, mask_sample_probability) */
  readonly images: number;
}

export interface CollatedMasks {
  readonly nImages: number;
  /** patches per image (gridH·gridW) */
  readonly nTokens: number;
  /** `[nImages, nTokens]` row-major, 1 = masked */
  readonly masks: Uint8Array;
  /** masked patches per image (0 for unmasked images) */
  readonly maskedCount: Int32Array;
  /** Σ ⌊N·probs[k+1]⌋ over masked images: a fixed size for the gather buffers, ≥ nMasked */
  readonly upperbound: number;
  /** total masked patches (≤ upperbound) */
  readonly nMasked: number;
  /** flat indices into `[nImages·nTokens]` of the masked patches, ascending; entries ≥ nMasked are 0 (padding) */
  readonly maskIndices: Int32Array;
  /** per masked patch 1/m_i of its image (per-image mean in the iBOT loss); padding entries are 0 */
  readonly maskWeights: Float32Array;
}

/** numpy/torch linspace(start, stop, num): endpoints exact. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : start + i * step));
}

export function collateMasks(
  nImages: number,
  generator: MaskGenerator,
  options: MaskingOptions,
  rng: Rng,
): CollatedMasks {
  const [rMin, rMax] = options.ratio;
  if (!(rMin >= 0 && rMin <= rMax && rMax <= 1))
    throw new InternalError(`mask ratio range ${rMin} .. ${rMax} invalid`);
  if (!(options.images >= 0 && options.images <= 1))
    throw new InternalError(`masked image fraction ${options.images} invalid`);
  const nTokens = generator.gridH * generator.gridW;
  // Python's int(n_img · p): the product is formed in floating point first, as in the reference.
  const nMaskedImages = Math.trunc(nImages * options.images);
  const probs = linspace(rMin, rMax, nMaskedImages + 1);

  const list: Uint8Array[] = [];
  let upperbound = 0;
  for (let k = 0; k < nMaskedImages; k++) {
    const lo = probs[k]!;
    const hi = probs[k + 1]!;
    list.push(generator.generate(Math.trunc(nTokens * rng.uniform(lo, hi)), rng));
    upperbound += Math.trunc(nTokens * hi);
  }
  for (let k = nMaskedImages; k < nImages; k++) list.push(new Uint8Array(nTokens));
  rng.shuffle(list);

  const masks = new Uint8Array(nImages * nTokens);
  const maskedCount = new Int32Array(nImages);
  let nMasked = 0;
  list.forEach((m, i) => {
    masks.set(m, i * nTokens);
    let c = 0;
    for (let t = 0; t < nTokens; t++) c += m[t]!;
    maskedCount[i] = c;
    nMasked += c;
  });
  // The block generator can undershoot, never overshoot, and the cyclic one is exact, so this always holds.
  if (nMasked > upperbound)
    throw new InternalError(`masked ${nMasked} patches, above the upper bound ${upperbound}`);

  const maskIndices = new Int32Array(upperbound);
  const maskWeights = new Float32Array(upperbound);
  let j = 0;
  for (let i = 0; i < nImages; i++) {
    const w = 1 / Math.max(maskedCount[i]!, 1);
    for (let t = 0; t < nTokens; t++) {
      if (masks[i * nTokens + t]) {
        maskIndices[j] = i * nTokens + t;
        maskWeights[j++] = w;
      }
    }
  }
  return { nImages, nTokens, masks, maskedCount, upperbound, nMasked, maskIndices, maskWeights };
}
