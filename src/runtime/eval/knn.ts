// Weighted k-NN classification, DINOv2's protocol (reference §10.1, gotcha 13): L2-normalised features, cosine
// similarity to every training feature, the top max(k) neighbours, weights exp(sim/T) (T = 0.07) — DINOv2 takes a
// softmax over the top 200 and sums the first k, which ranks classes identically — class scores summed per label,
// top-1 / top-5 accuracy micro-averaged over test samples.
// The similarity is a blocked 4×4-tiled matrix product — WebAssembly SIMD (simd-similarity.ts) where available,
// else the scalar loop below (16 accumulators, 8 loads per 16 multiply-adds) — streamed block by block into a
// bounded top-k heap, so memory stays O(block·N_train).
import { InternalError } from "../../diagnostics/diagnostic.js";
import { assertFinite } from "./finite.js";
import { createSimdSimilarity } from "./simd-similarity.js";

export interface LabelledFeatures {
  /** `[n, dim]` row-major */
  readonly features: Float32Array;
  readonly labels: Int32Array;
}

export interface KnnOptions {
  /** neighbour counts to report (default [20]) */
  readonly k?: readonly number[];
  /** softmax temperature T (default 0.07) */
  readonly temperature?: number;
  /** number of classes (default: 1 + the largest label seen) */
  readonly numClasses?: number;
  /** similarity kernel: "auto" (SIMD when available) or "scalar" (tests compare the two) */
  readonly kernel?: "auto" | "scalar";
}

export interface KnnAccuracy {
  readonly k: number;
  /** fractions in [0, 1] */
  readonly top1: number;
  readonly top5: number;
}

export const KNN_DEFAULTS = { k: [20] as readonly number[], temperature: 0.07 };

/** Rows scaled to unit L2 norm (a zero row stays zero), as DINOv2's ModelWithNormalize. */
export function l2Normalize(features: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(features.length);
  for (let r = 0; r < features.length; r += dim) {
    let ss = 0;
    for (let d = 0; d < dim; d++) ss += features[r + d]! * features[r + d]!;
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let d = 0; d < dim; d++) out[r + d] = features[r + d]! * inv;
  }
  return out;
}

/**
 * sims[i·nB + j] = a_i · b_j for rows i of `a` in [aStart, aStart + rows) and all rows of `b`.
 * Handles ragged edges; the 4×4 tile is where the time goes.
 */
export function dotBlock(
  a: Float32Array,
  aStart: number,
  rows: number,
  b: Float32Array,
  nB: number,
  dim: number,
  sims: Float32Array,
): void {
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const a0 = (aStart + i) * dim;
    const a1 = a0 + dim;
    const a2 = a1 + dim;
    const a3 = a2 + dim;
    let j = 0;
    // prettier-ignore
    for (; j + 4 <= nB; j += 4) {
      const b0 = j * dim;
      const b1 = b0 + dim;
      const b2 = b1 + dim;
      const b3 = b2 + dim;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let d = 0; d < dim; d++) {
        const x0 = a[a0 + d]!, x1 = a[a1 + d]!, x2 = a[a2 + d]!, x3 = a[a3 + d]!;
        const y0 = b[b0 + d]!, y1 = b[b1 + d]!, y2 = b[b2 + d]!, y3 = b[b3 + d]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      const r0 = i * nB + j, r1 = r0 + nB, r2 = r1 + nB, r3 = r2 + nB;
      sims[r0] = s00; sims[r0 + 1] = s01; sims[r0 + 2] = s02; sims[r0 + 3] = s03;
      sims[r1] = s10; sims[r1 + 1] = s11; sims[r1 + 2] = s12; sims[r1 + 3] = s13;
      sims[r2] = s20; sims[r2 + 1] = s21; sims[r2 + 2] = s22; sims[r2 + 3] = s23;
      sims[r3] = s30; sims[r3 + 1] = s31; sims[r3 + 2] = s32; sims[r3 + 3] = s33;
    }
    for (; j < nB; j++)
      for (let r = 0; r < 4; r++) sims[(i + r) * nB + j] = dot(a, (aStart + i + r) * dim, b, j * dim, dim);
  }
  for (; i < rows; i++)
    for (let j = 0; j < nB; j++) sims[i * nB + j] = dot(a, (aStart + i) * dim, b, j * dim, dim);
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[ao + d]! * b[bo + d]!;
  return s;
}

/**
 * Indices of the `k` largest values of `row` (length n), most similar first; ties keep the lower index first.
 * A size-k min-heap: one comparison per element once the heap is full.
 */
export function topK(
  row: Float32Array,
  offset: number,
  n: number,
  k: number,
  outIdx: Int32Array,
  outVal: Float32Array,
): number {
  const m = Math.min(k, n);
  let size = 0;
  // heap root = the weakest kept neighbour: smaller value, or equal value with the larger index
  const weaker = (va: number, ia: number, vb: number, ib: number) => va < vb || (va === vb && ia > ib);
  for (let j = 0; j < n; j++) {
    const v = row[offset + j]!;
    if (size < m) {
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!weaker(v, j, outVal[p]!, outIdx[p]!)) break;
        outVal[c] = outVal[p]!;
        outIdx[c] = outIdx[p]!;
        c = p;
      }
      outVal[c] = v;
      outIdx[c] = j;
    } else if (v > outVal[0]!) {
      // (an equal value never displaces the root: j is larger than every kept index, so it is the weaker one)
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= m) break;
        const r = l + 1;
        const w = r < m && weaker(outVal[r]!, outIdx[r]!, outVal[l]!, outIdx[l]!) ? r : l;
        if (!weaker(outVal[w]!, outIdx[w]!, v, j)) break;
        outVal[c] = outVal[w]!;
        outIdx[c] = outIdx[w]!;
        c = w;
      }
      outVal[c] = v;
      outIdx[c] = j;
    }
  }
  // heap → sorted, strongest first
  const order = Array.from({ length: m }, (_, t) => t).sort((x, y) =>
    weaker(outVal[x]!, outIdx[x]!, outVal[y]!, outIdx[y]!) ? 1 : -1,
  );
  const vals = order.map((t) => outVal[t]!);
  const idxs = order.map((t) => outIdx[t]!);
  for (let t = 0; t < m; t++) {
    outVal[t] = vals[t]!;
    outIdx[t] = idxs[t]!;
  }
  return m;
}

/** Class scores of one query from its sorted neighbours: Σ_{first k} exp((sim − sim_max)/T) per label. */
function classScores(
  vals: Float32Array,
  idx: Int32Array,
  count: number,
  labels: Int32Array,
  T: number,
  scores: Float64Array,
): void {
  scores.fill(0);
  const top = vals[0] ?? 0;
  for (let t = 0; t < count; t++) scores[labels[idx[t]!]!]! += Math.exp((vals[t]! - top) / T);
}

function rankOf(scores: Float64Array, label: number): number {
  // classes scoring strictly higher, plus equal-scoring ones with a smaller index (a stable descending sort)
  if (!(label >= 0 && label < scores.length)) return scores.length; // a class no training sample has: never right
  const s = scores[label]!;
  // A class without a single vote is never a hit. (DINOv2 takes torch.topk over all class scores, so with fewer than
  // five voting classes its top-5 may pick zero-score classes in an unspecified tie order; we count them as misses.)
  if (s === 0) return scores.length;
  let rank = 0;
  for (let c = 0; c < scores.length; c++) if (scores[c]! > s || (scores[c] === s && c < label)) rank++;
  return rank;
}

export function knnEvaluate(
  train: LabelledFeatures,
  test: LabelledFeatures,
  dim: number,
  options: KnnOptions = {},
): KnnAccuracy[] {
  const ks = options.k ?? KNN_DEFAULTS.k;
  const T = options.temperature ?? KNN_DEFAULTS.temperature;
  const nTrain = train.labels.length;
  const nTest = test.labels.length;
  if (train.features.length !== nTrain * dim || test.features.length !== nTest * dim) {
    throw new InternalError(`kNN features do not match labels × dim ${dim}`);
  }
  if (nTrain === 0 || ks.length === 0 || ks.some((k) => !(Number.isInteger(k) && k >= 1))) {
    throw new InternalError(`kNN needs training samples and positive k (got ${ks.join(", ")})`);
  }
  assertFinite(train.features, dim, "k-NN memory bank");
  assertFinite(test.features, dim, "k-NN queries");
  let numClasses = options.numClasses ?? 0;
  if (options.numClasses === undefined)
    for (const l of train.labels) numClasses = Math.max(numClasses, l + 1);
  const maxK = Math.min(Math.max(...ks), nTrain);
  const a = l2Normalize(test.features, dim);
  const b = l2Normalize(train.features, dim);

  const BLOCK = 64; // test rows per block: 64 × 60 000 floats ≈ 15 MB of similarities
  const sims = new Float32Array(BLOCK * nTrain);
  const simd = options.kernel === "scalar" ? undefined : createSimdSimilarity();
  simd?.setTrain(b, nTrain, dim);
  const idx = new Int32Array(maxK);
  const vals = new Float32Array(maxK);
  const scores = new Float64Array(numClasses);
  const hits1 = new Array<number>(ks.length).fill(0);
  const hits5 = new Array<number>(ks.length).fill(0);
  for (let start = 0; start < nTest; start += BLOCK) {
    const rows = Math.min(BLOCK, nTest - start);
    if (simd) simd.block(a, start, rows, sims);
    else dotBlock(a, start, rows, b, nTrain, dim, sims);
    for (let i = 0; i < rows; i++) {
      const count = topK(sims, i * nTrain, nTrain, maxK, idx, vals);
      const label = test.labels[start + i]!;
      ks.forEach((k, t) => {
        classScores(vals, idx, Math.min(k, count), train.labels, T, scores);
        const rank = rankOf(scores, label);
        if (rank === 0) hits1[t]!++;
        if (rank < 5) hits5[t]!++;
      });
    }
  }
  return ks.map((k, t) => ({ k, top1: hits1[t]! / nTest, top5: hits5[t]! / nTest }));
}
