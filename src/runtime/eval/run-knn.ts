// k-NN evaluation of a model's weights (reference §10.1): the inference graph, compiled with the teacher's weights,
// turns the memory bank (training split) and the queries (held-out split) into final-LN CLS features in batches;
// knn.ts L2-normalises them and votes. Images whose size differs from the export resolution are resized whole
// (bicubic) — the datasets here are already at training size, where the reference's resize + centre crop is the
// identity.
import type { ModelIR } from "../../ir/model.js";
import { compileModelGraphs, type WeightsFile } from "../../lower/compile.js";
import { DEFAULT_OPSET } from "../../onnx/model.js";
import { encodeModel } from "../../onnx/serialize.js";
import type { Dataset } from "../data/dataset.js";
import { CHANNELS } from "../augment/image.js";
import { resizedCrop } from "../augment/resample.js";
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
}

export interface KnnReport {
  readonly results: readonly KnnAccuracy[];
  readonly bank: number;
  readonly queries: number;
  readonly dim: number;
  readonly seconds: number;
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

/** CLS features of the first `limit` images of a dataset. */
export async function extractFeatures(
  session: ort.InferenceSession,
  dataset: Dataset,
  resolution: number,
  limit: number | undefined,
  batch = 128,
): Promise<LabelledFeatures & { dim: number }> {
  const n = Math.min(limit ?? dataset.size, dataset.size);
  const plane = CHANNELS * resolution * resolution;
  const labels = new Int32Array(n);
  let features = new Float32Array(0);
  let dim = 0;
  for (let start = 0; start < n; start += batch) {
    const rows = Math.min(batch, n - start);
    const pixels = new Float32Array(rows * plane);
    for (let r = 0; r < rows; r++) {
      const s = dataset.get(start + r);
      labels[start + r] = s.label;
      const same = s.width === resolution && s.height === resolution;
      const img = same
        ? s.image
        : resizedCrop(
            { data: s.image, width: s.width, height: s.height },
            { x: 0, y: 0, width: s.width, height: s.height },
            resolution,
            resolution,
          ).data;
      pixels.set(img, r * plane);
    }
    const out = await session.run(
      { pixel_values: new ort.Tensor("float32", pixels, [rows, CHANNELS, resolution, resolution]) },
      ["cls"],
    );
    const cls = out.cls!;
    assertFinite(cls.data as Float32Array, cls.dims[1] ?? 1, `CLS features of ${dataset.name}`, start);
    if (dim === 0) {
      dim = cls.dims[1]!;
      features = new Float32Array(n * dim);
    }
    features.set(cls.data as Float32Array, start * dim);
  }
  return { features, labels, dim };
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
    const bank = await extractFeatures(session, data.train, res, opts.bankLimit, opts.batch);
    const queries = await extractFeatures(session, data.test, res, opts.queryLimit, opts.batch);
    const numClasses = Math.max(data.train.numClasses, data.test.numClasses);
    const results = knnEvaluate(bank, queries, bank.dim, {
      k: opts.k ?? KNN_DEFAULTS.k,
      temperature: opts.temperature ?? KNN_DEFAULTS.temperature,
      numClasses,
    });
    return {
      results,
      bank: bank.labels.length,
      queries: queries.labels.length,
      dim: bank.dim,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await session.release();
  }
}

/** A checkpoint's tensors minus what is not a weight (optimiser moments, counters), for compileModelGraphs. */
export function weightTensors(tensors: WeightMap): WeightMap {
  return new Map([...tensors].filter(([k]) => !k.startsWith("optimizer.") && k !== "step"));
}
