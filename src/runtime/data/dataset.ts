// What every dataset yields. Images are planar float RGB — CHW, channel c at [c·H·W, (c+1)·H·W), rows top to bottom
// — with values in [0, 1]: the layout of the batches the graphs take, so crops copy planes without transposing.
// Normalisation (mean/std) happens inside the graph, not here.
//
// A dataset is read in two steps, because a crop is planned before pixels are decoded: `open(i)` gives the image's
// size (for files, from the header alone) and `decode(scale)` its pixels, at `scale` of that size where the format
// can shrink on load (JPEG) — the crops of a 12 Mpx photo then never decode 12 Mpx. Both are asynchronous (files
// are read and decoded off the JavaScript thread); in-memory datasets (synthetic, IDX) answer at once.
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Planar } from "../augment/image.js";

export interface ImageSample {
  /** CHW, 3 channels, RGB in [0, 1] */
  readonly image: Float32Array;
  readonly width: number;
  readonly height: number;
  /** class index in [0, numClasses), or UNLABELLED */
  readonly label: number;
}

/** A dataset image that cannot be used (missing, unreadable, not an image, corrupt, too large), and why. */
export class BadImageError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "BadImageError";
  }
}

/** An image left out (training replaces it, evaluation drops it), and why. */
export interface SkippedImage {
  readonly source: string;
  readonly reason: string;
}

/** The label of an image of an unlabelled dataset (a flat folder, a list without labels, shards without .cls). */
export const UNLABELLED = -1;

export interface OpenedImage {
  /** size as seen (EXIF orientation applied) */
  readonly width: number;
  readonly height: number;
  readonly label: number;
  /** where it comes from, for warnings: a path, a shard member or `name#index` */
  readonly source: string;
  /**
   * Its pixels at about `scale` (≤ 1) of width × height, never smaller: the returned size says what was decoded
   * (the full size when the format cannot shrink, or for in-memory images). Rejects with a BadImageError.
   * `alloc(n)` may supply the buffer decoded pixels are written to (at least n floats; a data worker reuses a
   * few), in-memory images ignore it.
   */
  decode(scale?: number, alloc?: (length: number) => Float32Array): Promise<Planar>;
}

export interface Dataset {
  readonly name: string;
  readonly size: number;
  /** 0 when the dataset is unlabelled */
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  /**
   * The evaluation view keeps the centred square of this fraction of the shorter side, resized to the model's
   * resolution: 224/256 for photographs (DINOv2's Resize(256) + CenterCrop(224)), 1 for images drawn at the
   * training size (synthetic, IDX), where the view is the whole image.
   */
  readonly evalCrop: number;
  /** true when images are stored class by class (folders): evaluation subsets then take every k-th image */
  readonly sortedByClass: boolean;
  /**
   * The order one training epoch visits the images (a permutation of 0 … size−1); absent: a seeded random
   * permutation (data/sampler.ts). Shards stream through a shuffle buffer instead (data/shards.ts).
   */
  readonly epochOrder?: (seed: number, epoch: number) => Int32Array;
  /** the label of image `index` without reading it */
  label(index: number): number;
  /** where image `index` comes from, for warnings and fingerprints: a path, a shard member or `name#index` */
  describe(index: number): string;
  /** image `index`: its size, label and decoder; rejects with a BadImageError when the file cannot be used */
  open(index: number): Promise<OpenedImage>;
}

/** A training set and, where the source has one, a held-out set (for kNN / linear evaluation). */
export interface DataSource {
  readonly train: Dataset;
  readonly test?: Dataset;
  /** what the user should know about how the source was read (images left out of a folder …) */
  readonly warnings?: readonly Diagnostic[];
}

/** A source of in-memory datasets (synthetic, IDX). */
export interface MemorySource extends DataSource {
  readonly train: MemoryDataset;
  readonly test?: MemoryDataset;
}

/** A dataset held in memory (or drawn on demand), whose images are read synchronously with `get`. */
export interface MemoryDataset extends Dataset {
  /** deterministic: the same index always gives the same sample; its pixels may be shared, never modify them */
  get(index: number): ImageSample;
}

export interface MemoryDatasetInfo {
  readonly name: string;
  readonly size: number;
  readonly numClasses: number;
  readonly classNames?: readonly string[];
}

/** The Dataset interface over a synchronous `get`; label(i) decodes image i unless `label` is given. */
export function memoryDataset(
  info: MemoryDatasetInfo,
  get: (index: number) => ImageSample,
  label?: (index: number) => number,
): MemoryDataset {
  return {
    ...info,
    evalCrop: 1,
    sortedByClass: false,
    get,
    label: label ?? ((i) => get(i).label),
    describe: (i) => `${info.name}#${i}`,
    open: async (index) => {
      const s = get(index);
      const image: Planar = { data: s.image, width: s.width, height: s.height };
      return {
        width: s.width,
        height: s.height,
        label: s.label,
        source: `${info.name}#${index}`,
        decode: async () => image,
      };
    },
  };
}

/** Image `index` decoded at full size, as a sample. */
export async function readSample(dataset: Dataset, index: number): Promise<ImageSample> {
  const opened = await dataset.open(index);
  const img = await opened.decode(1);
  return { image: img.data, width: img.width, height: img.height, label: opened.label };
}
