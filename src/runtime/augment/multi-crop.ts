// DINOv2/Franca multi-crop (§5): per image, `global.count` global crops and `local.count` local crops, each
// RandomResizedCrop (bicubic) → horizontal flip → ColorJitter (p) → RandomGrayscale (p) → Gaussian blur (p per crop)
// → solarize (p per crop). Blur/solarize probabilities are the EFFECTIVE ones (§5, gotcha 14): DINOv2's blur wrapper
// inverts its argument, so the reference's nominal 1.0 / 0.1 / 0.5 act as 0.0 / 0.9 / 0.5 — the .vfm states these.
// Batches are crop-major (all first views, then all second views …) because the losses pair row i of the student's
// globals with the other view of the same image by a fixed offset of B (§3.1, gotcha 18).
import { InternalError } from "../../diagnostics/diagnostic.js";
import type { Dataset } from "../data/dataset.js";
import { Rng } from "../rng.js";
import { gaussianBlur } from "./blur.js";
import { colorJitter, flipHorizontal, grayscale, solarize, type JitterOptions } from "./color.js";
import { CHANNELS, type Planar } from "./image.js";
import { DEFAULT_RATIO, sampleCropBox } from "./random-resized-crop.js";
import { resizedCrop } from "./resample.js";

/** One `crops { global { … } }` / `crops { local { … } }` entry. */
export interface CropOptions {
  readonly count: number;
  /** output side in pixels (square crops) */
  readonly size: number;
  /** area fraction range `scale lo .. hi` */
  readonly scale: readonly [number, number];
  /** aspect range; torchvision's (3/4, 4/3) when absent */
  readonly ratio?: readonly [number, number];
}

/**
 * `crops { augment { … } }`. Per-crop lists `[first global, other globals, locals]`: global crop 0 uses p[0], every
 * further global crop p[1], every local p[2] (the reference has exactly two globals).
 */
export interface AugmentOptions {
  readonly flip: number;
  readonly grayscale: number;
  readonly jitter: JitterOptions;
  readonly blur: {
    readonly p: readonly [number, number, number];
    readonly sigma: readonly [number, number];
    readonly kernel?: number;
  };
  readonly solarize: { readonly p: readonly [number, number, number]; readonly threshold: number };
}

export interface MultiCropOptions {
  readonly global: CropOptions;
  readonly local: CropOptions;
  readonly augment: AugmentOptions;
}

/** The DINOv2 / Franca augmentation recipe with effective probabilities (§5 table). */
export const REFERENCE_AUGMENT: AugmentOptions = {
  flip: 0.5,
  grayscale: 0.2,
  jitter: { p: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1 },
  blur: { p: [0.0, 0.9, 0.5], sigma: [0.1, 2.0], kernel: 9 },
  solarize: { p: [0.0, 0.2, 0.0], threshold: 128 },
};

export interface MultiCropBatch {
  /** batch size B (images) */
  readonly batch: number;
  /** `[global.count·B, 3, Sg, Sg]`, row v·B + b = view v of image b; RGB in [0, 1] */
  readonly global: Float32Array;
  /** `[local.count·B, 3, Sl, Sl]`, row l·B + b */
  readonly local: Float32Array;
  readonly globalShape: readonly [number, number, number, number];
  readonly localShape: readonly [number, number, number, number];
  readonly labels: Int32Array;
  /** dataset indices of the B images */
  readonly indices: Int32Array;
}

/** One augmented crop; `slot` 0 = first global, 1 = further globals, 2 = local (selects the per-crop p). */
export function augmentCrop(
  image: Planar,
  crop: CropOptions,
  slot: 0 | 1 | 2,
  aug: AugmentOptions,
  rng: Rng,
): Planar {
  const box = sampleCropBox(image.width, image.height, crop.scale, crop.ratio ?? DEFAULT_RATIO, rng);
  const out = resizedCrop(image, box, crop.size, crop.size);
  if (rng.bernoulli(aug.flip)) flipHorizontal(out);
  if (rng.bernoulli(aug.jitter.p)) colorJitter(out, aug.jitter, rng);
  if (rng.bernoulli(aug.grayscale)) grayscale(out);
  if (rng.bernoulli(aug.blur.p[slot]))
    gaussianBlur(out, aug.blur.kernel ?? 9, rng.uniform(aug.blur.sigma[0], aug.blur.sigma[1]));
  if (rng.bernoulli(aug.solarize.p[slot])) solarize(out, aug.solarize.threshold);
  return out;
}

/**
 * Crops and augments the dataset images `indices` (B of them). Image b of batch `step` draws from
 * `Rng.derive(seed, "crops", step, b)`, so a batch is a pure function of (seed, step, indices) — the same in any
 * worker, and after a resume.
 */
export function makeMultiCropBatch(
  dataset: Dataset,
  indices: Int32Array,
  options: MultiCropOptions,
  seed: number,
  step: number,
): MultiCropBatch {
  const B = indices.length;
  const { global: g, local: l, augment } = options;
  if (g.count < 1 || l.count < 0) throw new InternalError(`crop counts ${g.count}/${l.count} invalid`);
  const gPlane = CHANNELS * g.size * g.size;
  const lPlane = CHANNELS * l.size * l.size;
  const global = new Float32Array(g.count * B * gPlane);
  const local = new Float32Array(l.count * B * lPlane);
  const labels = new Int32Array(B);
  indices.forEach((index, b) => {
    const s = dataset.get(index);
    const rng = Rng.derive(seed, "crops", step, b);
    const image: Planar = { data: s.image, width: s.width, height: s.height };
    labels[b] = s.label;
    for (let v = 0; v < g.count; v++) {
      global.set(augmentCrop(image, g, v === 0 ? 0 : 1, augment, rng).data, (v * B + b) * gPlane);
    }
    for (let v = 0; v < l.count; v++) {
      local.set(augmentCrop(image, l, 2, augment, rng).data, (v * B + b) * lPlane);
    }
  });
  return {
    batch: B,
    global,
    local,
    globalShape: [g.count * B, CHANNELS, g.size, g.size],
    localShape: [l.count * B, CHANNELS, l.size, l.size],
    labels,
    indices: Int32Array.from(indices),
  };
}
