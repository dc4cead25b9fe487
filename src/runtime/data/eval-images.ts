// The images the frozen-feature tools read (k-NN, linear probe, retrieval, RASA, PCA pictures): DINOv2's evaluation
// view of each — the centred square of `evalCrop` × the shorter side (Resize(256) + CenterCrop(224) for photographs,
// in one resampling), at the model's resolution — decoded with shrink-on-load, a few files in flight at once.
// Unusable files are left out and reported, as training does; an evaluation never stops on one bad file.
import type { Planar } from "../augment/image.js";
import { resizedCrop, resizedRegion, type Box } from "../augment/resample.js";
import { BadImageError, type Dataset, type OpenedImage, type SkippedImage } from "./dataset.js";

const IN_FLIGHT = 4;

/** The evaluation view of an opened image: the centred square of `crop` × its shorter side, resized to side × side. */
export async function evalView(opened: OpenedImage, crop: number, side: number): Promise<Planar> {
  const { width: W, height: H } = opened;
  const s = Math.min(W, H) * crop;
  // the whole shorter side: whole pixels, as a centre crop cuts them; a fraction of it: where it falls
  const box: Box =
    crop === 1
      ? { x: Math.floor((W - s) / 2), y: Math.floor((H - s) / 2), width: s, height: s }
      : { x: (W - s) / 2, y: (H - s) / 2, width: s, height: s };
  const scale = side / s;
  const pixels = await opened.decode(scale <= 0.5 ? scale : 1);
  if (pixels.width === W && pixels.height === H) {
    if (crop === 1 && W === side && H === side) return pixels;
    return crop === 1 ? resizedCrop(pixels, box, side, side) : resizedRegion(pixels, box, side, side);
  }
  const sx = pixels.width / W;
  const sy = pixels.height / H;
  return resizedRegion(
    pixels,
    { x: box.x * sx, y: box.y * sy, width: box.width * sx, height: box.height * sy },
    side,
    side,
  );
}

/**
 * Which images an evaluation limited to `limit` uses: the first ones, or every k-th one when the dataset is stored
 * class by class (the first ones of a folder would be its first classes only).
 */
export function evalIndices(dataset: Dataset, limit: number | undefined): Int32Array {
  const n = Math.min(limit ?? dataset.size, dataset.size);
  if (!dataset.sortedByClass || n === dataset.size) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: n }, (_, i) => Math.floor((i * dataset.size) / n));
}

/**
 * The evaluation views of `indices`, in order, with their labels; `undefined` where a file could not be used
 * (reported through `onSkip`).
 */
export async function readEvalImages(
  dataset: Dataset,
  indices: ArrayLike<number>,
  side: number,
  onSkip: (s: SkippedImage) => void,
): Promise<({ image: Planar; label: number } | undefined)[]> {
  const out = new Array<{ image: Planar; label: number } | undefined>(indices.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < indices.length) {
      const k = next++;
      try {
        const opened = await dataset.open(indices[k]!);
        out[k] = { image: await evalView(opened, dataset.evalCrop, side), label: opened.label };
      } catch (e) {
        if (!(e instanceof BadImageError)) throw e;
        onSkip({ source: e.file, reason: e.reason });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, indices.length) }, lane));
  return out;
}
