// Frozen-backbone features for the post-training tools (RASA fitting, PCA pictures, linear probe, retrieval): the
// inference graph compiled with the given weights, run over images in batches. Images whose size differs from the
// export resolution are resized whole (bicubic), as run-knn.ts does for the kNN protocol.
import type { ExportOutput, ModelIR } from "../../ir/model.js";
import { compileModelGraphs, type WeightsFile } from "../../lower/compile.js";
import { DEFAULT_OPSET } from "../../onnx/model.js";
import { encodeModel } from "../../onnx/serialize.js";
import { CHANNELS, type Planar } from "../augment/image.js";
import { resizedCrop } from "../augment/resample.js";
import type { Dataset } from "../data/dataset.js";
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
}

/** `output` for the first `limit` images of `dataset` (default all), `batch` images per run. */
export async function datasetFeatures(
  model: FeatureModel,
  dataset: Dataset,
  output: string,
  limit?: number,
  batch = 64,
): Promise<DatasetFeatures> {
  const n = Math.min(limit ?? dataset.size, dataset.size);
  const labels = new Int32Array(n);
  let data = new Float32Array(0);
  let width = 0;
  for (let start = 0; start < n; start += batch) {
    const imgs: Planar[] = [];
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const s = dataset.get(i);
      labels[i] = s.label;
      imgs.push({ data: s.image, width: s.width, height: s.height });
    }
    const out = await runImages(model, imgs, output, start);
    if (width === 0) {
      width = out.data.length / imgs.length;
      data = new Float32Array(n * width);
    }
    data.set(out.data, start * width);
  }
  return { data, width, labels };
}
