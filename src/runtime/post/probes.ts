// The frozen-feature protocols run on a model's weights, for `vfmc eval --linear / --retrieval / --knn --levels`:
// final-LN CLS features of the training split (probe training set / retrieval gallery / kNN bank) and of the
// held-out split (test set / queries), through the same inference session the kNN protocol uses (run-knn.ts).
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import type { ModelIR } from "../../ir/model.js";
import type { WeightsFile } from "../../lower/compile.js";
import type { Dataset } from "../data/dataset.js";
import { KNN_DEFAULTS } from "../eval/knn.js";
import { linearProbe, type LinearProbeOptions, type LinearProbeResult } from "../eval/linear.js";
import { retrievalEvaluate, type RetrievalResult } from "../eval/retrieval.js";
import { extractFeatures, featureSession, type KnnRunOptions } from "../eval/run-knn.js";
import { knnPerLevel, levelWidths, type LevelAccuracy } from "./matryoshka.js";

export interface SplitData {
  readonly train: Dataset;
  readonly test: Dataset;
}

async function clsFeatures(
  ir: ModelIR,
  weights: readonly WeightsFile[],
  data: SplitData,
  opts: KnnRunOptions,
) {
  const session = await featureSession(ir, weights, opts);
  try {
    const res = ir.export.resolution;
    const train = await extractFeatures(session, data.train, res, opts.bankLimit, opts.batch, opts.onSkip);
    const test = await extractFeatures(session, data.test, res, opts.queryLimit, opts.batch, opts.onSkip);
    return { train, test, dim: train.dim, numClasses: Math.max(data.train.numClasses, data.test.numClasses) };
  } finally {
    await session.release();
  }
}

function atLeast(what: string, need: number, got: number): void {
  if (got < need)
    throw new DiagnosticError([makeDiagnostic("EvalTooFewImages", undefined, [what, need, got])]);
}

/** Linear probe (logistic regression, lr grid chosen on a validation split) on CLS features. */
export async function linearOfWeights(
  ir: ModelIR,
  weights: readonly WeightsFile[],
  data: SplitData,
  opts: KnnRunOptions & { readonly probe?: LinearProbeOptions } = {},
): Promise<LinearProbeResult & { readonly dim: number }> {
  const f = await clsFeatures(ir, weights, data, opts);
  atLeast("the linear probe", 2, f.train.labels.length);
  return { ...linearProbe(f.train, f.test, f.dim, { numClasses: f.numClasses, ...opts.probe }), dim: f.dim };
}

/** mAP with the held-out split as queries and the training split as gallery. */
export async function retrievalOfWeights(
  ir: ModelIR,
  weights: readonly WeightsFile[],
  data: SplitData,
  opts: KnnRunOptions = {},
): Promise<RetrievalResult & { readonly dim: number }> {
  const f = await clsFeatures(ir, weights, data, opts);
  atLeast("retrieval", 1, f.train.labels.length);
  return { ...retrievalEvaluate(f.train, f.test, f.dim), dim: f.dim };
}

/** kNN accuracy of each Matryoshka level (the first d channels of the CLS feature). */
export async function knnLevelsOfWeights(
  ir: ModelIR,
  weights: readonly WeightsFile[],
  data: SplitData,
  opts: KnnRunOptions = {},
): Promise<LevelAccuracy[]> {
  const widths = levelWidths(ir);
  const f = await clsFeatures(ir, weights, data, opts);
  return knnPerLevel(f.train, f.test, f.dim, widths, {
    k: opts.k ?? KNN_DEFAULTS.k,
    temperature: opts.temperature ?? KNN_DEFAULTS.temperature,
    numClasses: f.numClasses,
  });
}

export function formatLinear(r: LinearProbeResult): string {
  const grid = r.candidates.map((c) => `lr ${c.lr}: ${(100 * c.valTop1).toFixed(1)}%`).join(", ");
  return (
    `linear probe: test top-1 ${(100 * r.testTop1).toFixed(2)}%, top-5 ${(100 * r.testTop5).toFixed(2)}% ` +
    `(lr ${r.best.lr} chosen on ${r.val} validation images; ${r.train} training, ${r.test} test)\n` +
    `  validation top-1 per lr: ${grid}`
  );
}

export function formatRetrieval(r: RetrievalResult): string {
  return `retrieval: mAP ${(100 * r.map).toFixed(2)}%, precision@1 ${(100 * r.precisionAt1).toFixed(2)}% (${r.queries} queries, gallery ${r.gallery})`;
}
