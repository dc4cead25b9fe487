// Frozen-backbone features for the post-training tools (RASA fitting, PCA pictures, linear probe, retrieval): the
// inference graph compiled with the given weights, run over images in batches. Dataset images are seen through the
// evaluation view (data/eval-images.ts), as run-knn.ts sees them for the kNN protocol; other images whose size
// differs from the export resolution are resized whole (bicubic).
import type { ExportOutput, ModelIR } from "../../ir/model.js";
import { compileModelGraphs, type WeightsFile } from "../../lower/compile.js";
import { DEFAULT_OPSET } from "../../onnx/model.js";
import { encodeModel } from "../../onnx/serialize.js";
import { CHANNELS, type Planar } from "../augment/image.js";
import { resizedCrop } from "../augment/resample.js";
import type { Dataset, SkippedImage } from "../data/dataset.js";
import { evalIndices, readEvalImages } from "../data/eval-images.js";
import { assertFinite } from "../eval/finite.js";
import { createSession, ort, type Device } from "../session.js";

export interface FeatureOptions {
  readonly device?: Device;
  /** onnxruntime intra-op threads; 0 = all cores */
  readonly threads?: number;
  /** images per inference run */
  readonly batch?: number;
}

export interface FeatureModel {
  readonly session: ort.InferenceSession;
  readonly resolution: number;
  readonly dim: number;
  /** token grid side (resolution / patch) */
  readonly grid: number;
  release(): Promise<void>;
}

/** The inference graph of `ir` with `weights`, exporting exactly `outputs`. */
export async function featureModel(
  ir: ModelIR,
  weights: readonly WeightsFile[],
  outputs: readonly ExportOutput[],
  opts: FeatureOptions = {},
): Promise<FeatureModel> {
  const only: ModelIR = { ...ir, export: { ...ir.export, outputs } };
  const compiled = compileModelGraphs(only, { emit: ["infer"], opset: DEFAULT_OPSET, weights });
  const session = await createSession(encodeModel(compiled.graphs[0]!.model), {
    device: opts.device ?? "cpu",
    threads: opts.threads ?? 0,
  });
  const resolution = ir.export.resolution;
  return {
    session,
    resolution,
    dim: ir.backbone.dim,
    grid: Math.floor(resolution / ir.backbone.patch),
    release: () => session.release(),
  };
}

/** `img` at side × side (unchanged when it already is). */
export function atResolution(img: Planar, side: number): Float32Array {
  if (img.width === side && img.height === side) return img.data;
  return resizedCrop(img, { x: 0, y: 0, width: img.width, height: img.height }, side, side).data;
}

/** One output of the model for a batch of planar images: the flat values and their dims. */
export async function runImages(
  model: FeatureModel,
  images: readonly Planar[],
  output: string,
  /** the index of images[0] in its dataset, for diagnostics */
  firstImage = 0,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const side = model.resolution;
  const plane = CHANNELS * side * side;
  const pixels = new Float32Array(images.length * plane);
  images.forEach((img, i) => pixels.set(atResolution(img, side), i * plane));
  const feeds = { pixel_values: new ort.Tensor("float32", pixels, [images.length, CHANNELS, side, side]) };
  const out = await model.session.run(feeds, [output]);
  const t = out[output]!;
  assertFinite(t.data as Float32Array, t.data.length / images.length, output, firstImage);
  return { data: t.data as Float32Array, dims: t.dims };
}

export interface DatasetFeatures {
  /** [n, …per-image dims] row-major */
  readonly data: Float32Array;
  /** values per image */
  readonly width: number;
  readonly labels: Int32Array;
  /** files that could not be read, left out */
  readonly skipped: readonly SkippedImage[];
}

/** `output` for `limit` images of `dataset` (default all; evalIndices chooses which), `batch` images per run. */
export async function datasetFeatures(
  model: FeatureModel,
  dataset: Dataset,
  output: string,
  limit?: number,
  batch = 64,
): Promise<DatasetFeatures> {
  const indices = evalIndices(dataset, limit);
  const labels: number[] = [];
  const skipped: SkippedImage[] = [];
  const chunks: Float32Array[] = [];
  let width = 0;
  for (let start = 0; start < indices.length; start += batch) {
    const read = await readEvalImages(
      dataset,
      indices.subarray(start, start + batch),
      model.resolution,
      (s) => skipped.push(s),
    );
    const imgs = read.filter((x) => x !== undefined);
    if (imgs.length === 0) continue;
    imgs.forEach((x) => labels.push(x.label));
    const out = await runImages(
      model,
      imgs.map((x) => x.image),
      output,
      indices[start],
    );
    width = out.data.length / imgs.length;
    chunks.push(out.data);
  }
  const data = new Float32Array(labels.length * width);
  let o = 0;
  for (const c of chunks) {
    data.set(c, o);
    o += c.length;
  }
  return { data, width, labels: Int32Array.from(labels), skipped };
}
