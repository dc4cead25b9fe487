// What one training step's data is, as a pure function of (options, step): the sampler picks the images, multi-crop
// augments them, the mask collator masks the global crops. The in-thread producer and the worker threads both call
// `produceBatch`, so their outputs are identical by construction.
import type { Dataset } from "../data/dataset.js";
import { EpochSampler } from "../data/sampler.js";
import type { DataSpec } from "../data/source.js";
import { collateMasks, type CollatedMasks, type MaskingOptions } from "../masks/collate.js";
import { createMaskGenerator } from "../masks/create.js";
import { patchOrders } from "../masks/random.js";
import type { MaskGenerator } from "../masks/generator.js";
import { Rng } from "../rng.js";
import { makeMultiCropBatch, type MultiCropBatch, type MultiCropOptions } from "./multi-crop.js";

/** Plain data (sent to workers as is). */
export interface BatchStreamOptions {
  readonly data: DataSpec;
  readonly crops: MultiCropOptions;
  /** images per step, B */
  readonly batch: number;
  readonly seed: number;
  /** `masking block|cyclic { ratio, images }` and the backbone's patch size; absent → no masks */
  readonly masking?: MaskingOptions & { readonly kind: "block" | "cyclic"; readonly patch: number };
  /** stop at the first unusable image instead of replacing it (`--strict-data`) */
  readonly strict?: boolean;
  /** `masking random`: a random order of each image's patches, of this many patches (the global crop's grid) */
  readonly patchOrder?: { readonly patches: number };
}

export interface StepBatch {
  readonly step: number;
  readonly crops: MultiCropBatch;
  /** masks for the `global.count·B` global crops, rows in the same crop-major order */
  readonly masks?: CollatedMasks;
  /** `[B, P]`: per image its patches in the order MAE's encoder keeps them (masks/random.ts) */
  readonly patchOrder?: Int32Array;
}

export class BatchJob {
  private readonly sampler: EpochSampler;
  private readonly masker: MaskGenerator | undefined;

  constructor(
    readonly options: BatchStreamOptions,
    readonly dataset: Dataset,
  ) {
    this.sampler = new EpochSampler(dataset.size, options.batch, options.seed, dataset.epochOrder);
    const m = options.masking;
    this.masker = m ? createMaskGenerator(m.kind, options.crops.global.size, m.patch) : undefined;
  }

  async produce(step: number): Promise<StepBatch> {
    const { options } = this;
    const crops = await makeMultiCropBatch(
      this.dataset,
      this.sampler.indices(step),
      options.crops,
      options.seed,
      step,
      { strict: options.strict ?? false },
    );
    if (options.patchOrder) {
      const order = patchOrders(options.batch, options.patchOrder.patches, options.seed, step);
      return { step, crops, patchOrder: order };
    }
    if (!this.masker || !options.masking) return { step, crops };
    const nImages = options.crops.global.count * options.batch;
    const masks = collateMasks(
      nImages,
      this.masker,
      options.masking,
      Rng.derive(options.seed, "masks", step),
    );
    return { step, crops, masks };
  }
}

/** The buffers of a batch, for zero-copy transfer between threads. */
export function transferablesOf(b: StepBatch): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [b.crops.global, b.crops.local, b.crops.labels, b.crops.indices];
  if (b.masks) arrays.push(b.masks.masks, b.masks.maskedCount, b.masks.maskIndices, b.masks.maskWeights);
  if (b.patchOrder) arrays.push(b.patchOrder);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
