// k-NN evaluation of a model's weights (reference §10.1): the inference graph, compiled with the teacher's weights,
// turns the memory bank (training split) and the queries (held-out split) into final-LN CLS features in batches;
// knn.ts L2-normalises them and votes. Images are seen through the dataset's evaluation view (data/eval-images.ts):
// DINOv2's Resize(256) + CenterCrop(224) for photographs, the whole image for datasets drawn at training size.
// Files that cannot be read are left out of the bank or the queries and reported in `skipped`.
import type { ModelIR } from "../../ir/model.js";
import { compileModelGraphs, type WeightsFile } from "../../lower/compile.js";
import { DEFAULT_OPSET } from "../../onnx/model.js";
import { encodeModel } from "../../onnx/serialize.js";
import type { Dataset, SkippedImage } from "../data/dataset.js";
import { evalIndices, readEvalImages } from "../data/eval-images.js";
import { CHANNELS } from "../augment/image.js";
import { createSession, ort, type Device } from "../session.js";
import { assertFinite } from "./finite.js";
import { knnEvaluate, KNN_DEFAULTS, type KnnAccuracy, type LabelledFeatures } from "./knn.js";
import type { WeightMap } from "../../lower/weights.js";

export interface KnnRunOptions {
  readonly k?: readonly number[];
  readonly temperature?: number;
  /** use at most this many memory-bank / query images (the first ones of each split); default all */
  readonly bankLimit?: number;
  readonly queryLimit?: number;
  /** images per inference run */
  readonly batch?: number;
  readonly device?: Device;
  readonly threads?: number;
  /** told of every file that could not be read (it is left out) */
  readonly onSkip?: (s: SkippedImage) => void;
}

export interface KnnReport {
  readonly results: readonly KnnAccuracy[];
  readonly bank: number;
  readonly queries: number;
  readonly dim: number;
  readonly seconds: number;
  /** files of the bank or the queries that could not be read, left out */
  readonly skipped: readonly SkippedImage[];
}

/** The inference graph of `ir` with `weights` (a checkpoint's teacher wins, docs/graph-contract.md), CLS only. */
export async function featureSession(
  ir: ModelIR,
  weights: readonly WeightsFile[],
  opts: KnnRunOptions,
): Promise<ort.InferenceSession> {
  const clsOnly: ModelIR = { ...ir, export: { ...ir.export, outputs: ["cls"] } };
  const compiled = compileModelGraphs(clsOnly, { emit: ["infer"], opset: DEFAULT_OPSET, weights });
  const model = compiled.graphs[0]!.model;
  return createSession(encodeModel(model), { device: opts.device ?? "cpu", threads: opts.threads ?? 0 });
}

/** The eval views of `limit` images of a dataset (evalIndices), in batches of at most `batch`; unreadable files left out. */
async function* evalBatches(
  dataset: Dataset,
  resolution: number,
  limit: number | undefined,
  batch: number,
  onSkip: (s: SkippedImage) => void,
): AsyncGenerator<{ first: number; rows: number; pixels: Float32Array; labels: number[] }> {
  const indices = evalIndices(dataset, limit);
  const plane = CHANNELS * resolution * resolution;
  for (let start = 0; start < indices.length; start += batch) {
    const images = (
      await readEvalImages(dataset, indices.subarray(start, start + batch), resolution, onSkip)
    ).filter((x) => x !== undefined);
    if (images.length === 0) continue;
    const pixels = new Float32Array(images.length * plane);
    images.forEach((x, r) => pixels.set(x.image.data, r * plane));
    yield { first: indices[start]!, rows: images.length, pixels, labels: images.map((x) => x.label) };
  }
}

/** Concatenated rows of `dim` features, with their labels. */
function gathered(chunks: readonly Float32Array[], labels: readonly number[], dim: number) {
  const features = new Float32Array(labels.length * dim);
  let o = 0;
  for (const c of chunks) {
    features.set(c, o);
    o += c.length;
  }
  return { features, labels: Int32Array.from(labels), dim };
}

/** CLS features of `limit` images of a dataset (evalIndices: the first ones, or every k-th of a class-sorted one). */
export async function extractFeatures(
  session: ort.InferenceSession,
  dataset: Dataset,
  resolution: number,
  limit: number | undefined,
  batch = 128,
  onSkip: (s: SkippedImage) => void = () => undefined,
): Promise<LabelledFeatures & { dim: number }> {
  const labels: number[] = [];
  const chunks: Float32Array[] = [];
  let dim = 0;
  for await (const b of evalBatches(dataset, resolution, limit, batch, onSkip)) {
    const out = await session.run(
      { pixel_values: new ort.Tensor("float32", b.pixels, [b.rows, CHANNELS, resolution, resolution]) },
      ["cls"],
    );
    const cls = out.cls!;
    assertFinite(cls.data as Float32Array, cls.dims[1] ?? 1, `CLS features of ${dataset.name}`, b.first);
    dim = cls.dims[1]!;
    chunks.push(cls.data as Float32Array);
    labels.push(...b.labels);
  }
  return gathered(chunks, labels, dim);
}

/**
 * The images themselves as features: the pixels the model is fed (the evaluation view at the export resolution,
 * the spec's per-channel mean and std applied), flattened. k-NN on them is the baseline a learned feature has to beat.
 */
export async function pixelFeatures(
  ir: ModelIR,
  dataset: Dataset,
  limit: number | undefined,
  onSkip: (s: SkippedImage) => void = () => undefined,
): Promise<LabelledFeatures & { dim: number }> {
  const res = ir.export.resolution;
  const area = res * res;
  const labels: number[] = [];
  const chunks: Float32Array[] = [];
  for await (const b of evalBatches(dataset, res, limit, 256, onSkip)) {
    const f = new Float32Array(b.pixels.length);
    for (let i = 0; i < f.length; i++) {
      const c = Math.floor(i / area) % CHANNELS;
      f[i] = (b.pixels[i]! - ir.input.mean[c]!) / ir.input.std[c]!;
    }
    chunks.push(f);
    labels.push(...b.labels);
  }
  return gathered(chunks, labels, CHANNELS * area);
}

/** The files an evaluation left out, collected for its report and passed on to `opts.onSkip`. */
function skipCollector(opts: KnnRunOptions): { skipped: SkippedImage[]; onSkip: (s: SkippedImage) => void } {
  const skipped: SkippedImage[] = [];
  return {
    skipped,
    onSkip: (s) => {
      skipped.push(s);
      opts.onSkip?.(s);
    },
  };
}

/** §10.1 k-NN accuracy of `weights` (none: the seeded initialisation) on bank `train` and queries `test`. */
export async function knnOfWeights(
  ir: ModelIR,
  weights: readonly WeightsFile[],
  data: { readonly train: Dataset; readonly test: Dataset },
  opts: KnnRunOptions = {},
): Promise<KnnReport> {
  const t0 = performance.now();
  const session = await featureSession(ir, weights, opts);
  try {
    const res = ir.export.resolution;
    return await knnReport(
      (d, limit, onSkip) => extractFeatures(session, d, res, limit, opts.batch, onSkip),
      data,
      opts,
      t0,
    );
  } finally {
    await session.release();
  }
}

/** §10.1 k-NN on raw pixels (pixelFeatures) with the same bank, queries, k and temperature as knnOfWeights. */
export async function knnOfPixels(
  ir: ModelIR,
  data: { readonly train: Dataset; readonly test: Dataset },
  opts: KnnRunOptions = {},
): Promise<KnnReport> {
  return knnReport((d, limit, onSkip) => pixelFeatures(ir, d, limit, onSkip), data, opts, performance.now());
}

/** Bank and query features from `features`, voted on (§10.1), timed from `t0`, with the files left out. */
async function knnReport(
  features: (
    d: Dataset,
    limit: number | undefined,
    onSkip: (s: SkippedImage) => void,
  ) => Promise<LabelledFeatures & { dim: number }>,
  data: { readonly train: Dataset; readonly test: Dataset },
  opts: KnnRunOptions,
  t0: number,
): Promise<KnnReport> {
  const { skipped, onSkip } = skipCollector(opts);
  const bank = await features(data.train, opts.bankLimit, onSkip);
  const queries = await features(data.test, opts.queryLimit, onSkip);
  const results = knnEvaluate(bank, queries, bank.dim, {
    k: opts.k ?? KNN_DEFAULTS.k,
    temperature: opts.temperature ?? KNN_DEFAULTS.temperature,
    numClasses: Math.max(data.train.numClasses, data.test.numClasses),
  });
  return {
    results,
    bank: bank.labels.length,
    queries: queries.labels.length,
    dim: bank.dim,
    seconds: (performance.now() - t0) / 1000,
    skipped,
  };
}

/** A checkpoint's tensors minus what is not a weight (optimiser moments, counters), for compileModelGraphs. */
export function weightTensors(tensors: WeightMap): WeightMap {
  return new Map([...tensors].filter(([k]) => !k.startsWith("optimizer.") && k !== "step"));
}
