// A dataset of encoded images (folders, list files, tar shards): where the bytes of image i come from is the
// source's business (`read`), everything after is shared — header first (size, format, the memory bound), pixels
// later at the scale the crops need (image/decode.ts). A bad file rejects open() or decode() with a BadImageError;
// what to do about it (skip or stop) is the caller's policy (augment/multi-crop.ts, eval).
import { InternalError } from "../../diagnostics/diagnostic.js";
import { decodePixels, imageHeader } from "../image/decode.js";
import type { Dataset, OpenedImage } from "./dataset.js";

/** DINOv2's evaluation view: Resize(256) then CenterCrop(224) keeps 224/256 of the shorter side. */
export const EVAL_CROP_PHOTOS = 224 / 256;

export interface EncodedImages {
  readonly name: string;
  readonly size: number;
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  readonly sortedByClass: boolean;
  label(index: number): number;
  /** a path (or shard member) naming image `index` in warnings */
  describe(index: number): string;
  /** the encoded bytes of image `index`; rejects with a BadImageError */
  read(index: number): Promise<Buffer>;
}

export function encodedDataset(images: EncodedImages): Dataset {
  const { name, size, numClasses, classNames, sortedByClass } = images;
  return {
    name,
    size,
    numClasses,
    ...(classNames ? { classNames } : {}),
    evalCrop: EVAL_CROP_PHOTOS,
    sortedByClass,
    label: (i) => images.label(i),
    describe: (i) => images.describe(i),
    async open(index): Promise<OpenedImage> {
      if (!(Number.isInteger(index) && index >= 0 && index < size))
        throw new InternalError(`${name}: index ${index} out of range [0, ${size})`);
      const source = images.describe(index);
      const bytes = await images.read(index);
      const header = await imageHeader(bytes, source);
      return {
        width: header.width,
        height: header.height,
        label: images.label(index),
        source,
        decode: (scale = 1, alloc) => decodePixels(bytes, header, source, scale, alloc),
      };
    },
  };
}
