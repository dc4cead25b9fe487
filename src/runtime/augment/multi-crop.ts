// DINOv2/Franca multi-crop (§5): per image, `global.count` global crops and `local.count` local crops, each
// RandomResizedCrop (bicubic) → horizontal flip → ColorJitter (p) → RandomGrayscale (p) → Gaussian blur (p per crop)
// → solarize (p per crop). Blur/solarize probabilities are the EFFECTIVE ones (§5, gotcha 14): DINOv2's blur wrapper
// inverts its argument, so the reference's nominal 1.0 / 0.1 / 0.5 act as 0.0 / 0.9 / 0.5 — the .vfm states these.
// Batches are crop-major (all first views, then all second views …) because the losses pair row i of the student's
// globals with the other view of the same image by a fixed offset of B (§3.1, gotcha 18).
//
// Every crop's random draws are made before any pixel is read (drawCrop), in the order torchvision makes them, and
// on the image's full size: the boxes then say how small the image may be decoded (decodeScale), and a JPEG photo is
// shrunk on load to the least size that still has every box's pixels. A file that cannot be used is replaced by
// another image drawn from (seed, step, slot), so batches stay a pure function of the seed, and is reported (or, in
// strict mode, stops the run).
import { DiagnosticError, InternalError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { BadImageError, type Dataset, type SkippedImage } from "../data/dataset.js";
import { Rng } from "../rng.js";
import { gaussianBlur } from "./blur.js";
import {
  applyJitter,
  drawJitter,
  flipHorizontal,
  grayscale,
  solarize,
  type JitterDraw,
  type JitterOptions,
} from "./color.js";
import { CHANNELS, type Planar } from "./image.js";
import { DEFAULT_RATIO, sampleCropBox } from "./random-resized-crop.js";
import { resizedCrop, resizedRegion, type Box } from "./resample.js";

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
  /** dataset indices of the B images (after replacing unusable ones) */
  readonly indices: Int32Array;
  /** images that could not be used and were replaced, with the reason */
  readonly skipped: readonly SkippedImage[];
}

/** Every random choice of one crop, drawn before the pixels are read. */
export interface CropDraw {
  /** in the coordinates of the image's full size */
  readonly box: Box;
  readonly flip: boolean;
  readonly jitter?: JitterDraw;
  readonly grayscale: boolean;
  readonly blurSigma?: number;
  readonly solarize: boolean;
}

/** The draws of one crop, in torchvision's order: RandomResizedCrop, flip, jitter, grayscale, blur, solarize. */
export function drawCrop(
  width: number,
  height: number,
  crop: CropOptions,
  slot: 0 | 1 | 2,
  aug: AugmentOptions,
  rng: Rng,
): CropDraw {
  const box = sampleCropBox(width, height, crop.scale, crop.ratio ?? DEFAULT_RATIO, rng);
  const flip = rng.bernoulli(aug.flip);
  const jitter = rng.bernoulli(aug.jitter.p) ? drawJitter(aug.jitter, rng) : undefined;
  const gray = rng.bernoulli(aug.grayscale);
  const blurSigma = rng.bernoulli(aug.blur.p[slot])
    ? rng.uniform(aug.blur.sigma[0], aug.blur.sigma[1])
    : undefined;
  const sol = rng.bernoulli(aug.solarize.p[slot]);
  return {
    box,
    flip,
    ...(jitter ? { jitter } : {}),
    grayscale: gray,
    ...(blurSigma !== undefined ? { blurSigma } : {}),
    solarize: sol,
  };
}

/**
 * The crop `d` of an image of full size fullWidth × fullHeight whose pixels `image` may have been decoded smaller:
 * at full size the box is cut and resized as torchvision does, else it is scaled and resampled as a region.
 */
export function applyCrop(
  image: Planar,
  fullWidth: number,
  fullHeight: number,
  d: CropDraw,
  crop: CropOptions,
  aug: AugmentOptions,
  into?: Float32Array,
): Planar {
  const full = image.width === fullWidth && image.height === fullHeight;
  const sx = image.width / fullWidth;
  const sy = image.height / fullHeight;
  const out = full
    ? resizedCrop(image, d.box, crop.size, crop.size, into)
    : resizedRegion(
        image,
        { x: d.box.x * sx, y: d.box.y * sy, width: d.box.width * sx, height: d.box.height * sy },
        crop.size,
        crop.size,
        into,
      );
  if (d.flip) flipHorizontal(out);
  if (d.jitter) applyJitter(out, aug.jitter, d.jitter);
  if (d.grayscale) grayscale(out);
  if (d.blurSigma !== undefined) gaussianBlur(out, aug.blur.kernel ?? 9, d.blurSigma);
  if (d.solarize) solarize(out, aug.solarize.threshold);
  return out;
}

/** One augmented crop; `slot` 0 = first global, 1 = further globals, 2 = local (selects the per-crop p). */
export function augmentCrop(
  image: Planar,
  crop: CropOptions,
  slot: 0 | 1 | 2,
  aug: AugmentOptions,
  rng: Rng,
): Planar {
  const d = drawCrop(image.width, image.height, crop, slot, aug, rng);
  return applyCrop(image, image.width, image.height, d, crop, aug);
}

/** Shrinking by less than 2× saves little decoding and costs the exact crop-then-resize path. */
const MIN_SHRINK = 2;

/**
 * The least scale of the full image at which every crop box still has at least as many pixels as its crop
 * (1 when that is more than 1/MIN_SHRINK).
 */
export function decodeScale(crops: readonly { box: Box; size: number }[]): number {
  let need = 0;
  for (const { box, size } of crops) need = Math.max(need, size / box.width, size / box.height);
  return need > 1 / MIN_SHRINK ? 1 : need;
}

export interface BadImagePolicy {
  /** the first unusable image stops the run (a DataBadImage diagnostic) instead of being replaced */
  readonly strict?: boolean;
}

/** Replacements tried for one slot before the dataset is declared broken. */
const MAX_ATTEMPTS = 32;

/** Images in flight at once per batch: decoding runs on libuv's threads while crops are cut here. */
const IN_FLIGHT = 4;

/**
 * Pixel buffers of decoded images, reused: a data worker decodes thousands of ~2 MB images, and a fresh buffer for
 * each costs the allocation, its zeroing and the page faults of its first touch (a sixth of the CPU time, measured).
 * Only buffers this pool handed out come back to it (an in-memory dataset's images are its own).
 */
class PixelPool {
  private readonly free: Float32Array[] = [];
  private readonly lent = new WeakSet<ArrayBufferLike>();

  readonly take = (length: number): Float32Array => {
    const i = this.free.findIndex((b) => b.length >= length);
    const buf = i >= 0 ? this.free.splice(i, 1)[0]! : new Float32Array(Math.ceil(length / 65536) * 65536);
    this.lent.add(buf.buffer);
    return buf;
  };

  give(pixels: Float32Array): void {
    if (!this.lent.has(pixels.buffer)) return;
    this.lent.delete(pixels.buffer);
    if (this.free.length < 2 * IN_FLIGHT) this.free.push(new Float32Array(pixels.buffer));
  }
}

const pool = new PixelPool();

interface Planned {
  readonly index: number;
  readonly label: number;
  readonly width: number;
  readonly height: number;
  readonly pixels: Planar;
  readonly draws: readonly CropDraw[];
}

/**
 * Crops and augments the dataset images `indices` (B of them). Image b of batch `step` draws from
 * `Rng.derive(seed, "crops", step, b)`, so a batch is a pure function of (seed, step, indices) — the same in any
 * worker, and after a resume. An unusable image is replaced by one drawn from `Rng.derive(seed, "replace", step, b,
 * attempt)`.
 */
export async function makeMultiCropBatch(
  dataset: Dataset,
  indices: Int32Array,
  options: MultiCropOptions,
  seed: number,
  step: number,
  policy: BadImagePolicy = {},
): Promise<MultiCropBatch> {
  const B = indices.length;
  const { global: g, local: l, augment } = options;
  if (g.count < 1 || l.count < 0) throw new InternalError(`crop counts ${g.count}/${l.count} invalid`);
  const gPlane = CHANNELS * g.size * g.size;
  const lPlane = CHANNELS * l.size * l.size;
  const global = new Float32Array(g.count * B * gPlane);
  const local = new Float32Array(l.count * B * lPlane);
  const labels = new Int32Array(B);
  const used = new Int32Array(B);
  const skipped: SkippedImage[] = [];

  const plan = async (b: number): Promise<Planned> => {
    let index = indices[b]!;
    for (let attempt = 0; ; attempt++) {
      try {
        const opened = await dataset.open(index);
        const rng = Rng.derive(seed, "crops", step, b);
        const draws: CropDraw[] = [];
        for (let v = 0; v < g.count; v++)
          draws.push(drawCrop(opened.width, opened.height, g, v === 0 ? 0 : 1, augment, rng));
        for (let v = 0; v < l.count; v++)
          draws.push(drawCrop(opened.width, opened.height, l, 2, augment, rng));
        const scale = decodeScale(draws.map((d, k) => ({ box: d.box, size: k < g.count ? g.size : l.size })));
        const pixels = await opened.decode(scale, pool.take);
        return { index, label: opened.label, width: opened.width, height: opened.height, pixels, draws };
      } catch (e) {
        if (!(e instanceof BadImageError)) throw e;
        if (policy.strict)
          throw new DiagnosticError([makeDiagnostic("DataBadImage", undefined, [e.file, e.reason])]);
        skipped.push({ source: e.file, reason: e.reason });
        if (attempt + 1 >= MAX_ATTEMPTS)
          throw new DiagnosticError([
            makeDiagnostic("DataTooManyBad", undefined, [MAX_ATTEMPTS, e.file, e.reason]),
          ]);
        index = Rng.derive(seed, "replace", step, b, attempt).int(0, dataset.size - 1);
      }
    }
  };

  const cut = (b: number, p: Planned): void => {
    labels[b] = p.label;
    used[b] = p.index;
    p.draws.forEach((d, k) => {
      // each crop is cut straight into its row of the batch
      const slot =
        k < g.count
          ? global.subarray((k * B + b) * gPlane, (k * B + b + 1) * gPlane)
          : local.subarray(((k - g.count) * B + b) * lPlane, ((k - g.count) * B + b + 1) * lPlane);
      applyCrop(p.pixels, p.width, p.height, d, k < g.count ? g : l, augment, slot);
    });
    pool.give(p.pixels.data);
  };

  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < B) {
      const b = next++;
      cut(b, await plan(b));
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, B) }, lane));
  return {
    batch: B,
    global,
    local,
    globalShape: [g.count * B, CHANNELS, g.size, g.size],
    localShape: [l.count * B, CHANNELS, l.size, l.size],
    labels,
    indices: used,
    skipped,
  };
}
