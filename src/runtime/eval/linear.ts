// Linear probe on frozen features (reference §10.2, simplified to one feature variant): multinomial logistic
// regression trained with SGD (momentum 0.9, no weight decay, cosine-annealed to 0, batch 128, weights N(0, 0.01²),
// bias 0), one classifier per learning rate of DINOv2's grid, the best chosen by top-1 on a validation split carved
// from the training set, then reported on the test set. Features are standardised per channel with the training
// statistics so the grid means the same for any backbone width or scale. Plain TypeScript: D×C is tiny next to the
// backbone, and every classifier is trained on the same features.
import { InternalError } from "../../diagnostics/diagnostic.js";
import { Rng } from "../rng.js";
import { assertFinite } from "./finite.js";
import type { LabelledFeatures } from "./knn.js";

/** DINOv2's linear-eval learning rates (before its batch/256 scaling, which is 0.5 at batch 128). */
export const DINOV2_LRS = [
  1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1,
] as const;

export interface LinearProbeOptions {
  readonly lrs?: readonly number[];
  readonly epochs?: number;
  readonly batch?: number;
  /** share of the training set held out to choose the learning rate */
  readonly valFraction?: number;
  readonly seed?: number;
  readonly numClasses?: number;
}

export const LINEAR_DEFAULTS = {
  lrs: [1e-3, 1e-2, 3e-2, 0.1, 0.3, 1] as readonly number[],
  epochs: 30,
  batch: 128,
  valFraction: 0.1,
  seed: 0,
};

export interface LinearCandidate {
  readonly lr: number;
  readonly valTop1: number;
}

export interface LinearProbeResult {
  readonly candidates: readonly LinearCandidate[];
  readonly best: LinearCandidate;
  readonly testTop1: number;
  readonly testTop5: number;
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

interface Classifier {
  readonly w: Float32Array; // [C, D]
  readonly b: Float32Array; // [C]
}

function standardiser(x: Float32Array, n: number, d: number): (v: Float32Array) => Float32Array {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < d; j++) {
      const v = x[r * d + j]!;
      mean[j]! += v / n;
      sq[j]! += (v * v) / n;
    }
  const inv = mean.map((m, j) => 1 / Math.sqrt(Math.max(sq[j]! - m * m, 0) + 1e-6));
  return (v) => v.map((a, i) => (a - mean[i % d]!) * inv[i % d]!);
}

function logits(c: Classifier, x: Float32Array, row: number, d: number, out: Float64Array): void {
  const k = c.b.length;
  for (let o = 0; o < k; o++) {
    let s = c.b[o]!;
    for (let j = 0; j < d; j++) s += c.w[o * d + j]! * x[row * d + j]!;
    out[o] = s;
  }
}

function train(
  x: Float32Array,
  y: Int32Array,
  rows: Int32Array,
  d: number,
  k: number,
  lr: number,
  o: Required<LinearProbeOptions>,
): Classifier {
  const rng = Rng.derive(o.seed, "linear", String(lr));
  const c: Classifier = {
    w: Float32Array.from({ length: k * d }, () => 0.01 * rng.normal()),
    b: new Float32Array(k),
  };
  const mw = new Float32Array(k * d);
  const mb = new Float32Array(k);
  const gw = new Float64Array(k * d);
  const gb = new Float64Array(k);
  const z = new Float64Array(k);
  const perEpoch = Math.max(1, Math.ceil(rows.length / o.batch));
  const total = o.epochs * perEpoch;
  let t = 0;
  for (let e = 0; e < o.epochs; e++) {
    const order = rng.permutation(rows.length);
    for (let s = 0; s < rows.length; s += o.batch) {
      const n = Math.min(o.batch, rows.length - s);
      gw.fill(0);
      gb.fill(0);
      for (let i = 0; i < n; i++) {
        const r = rows[order[s + i]!]!;
        logits(c, x, r, d, z);
        let max = -Infinity;
        for (const v of z) max = Math.max(max, v);
        let sum = 0;
        for (let q = 0; q < k; q++) sum += z[q] = Math.exp(z[q]! - max);
        for (let q = 0; q < k; q++) {
          const g = (z[q]! / sum - (q === y[r] ? 1 : 0)) / n; // ∂ mean cross-entropy / ∂ logit
          gb[q]! += g;
          for (let j = 0; j < d; j++) gw[q * d + j]! += g * x[r * d + j]!;
        }
      }
      const rate = (lr * (1 + Math.cos((Math.PI * t) / total))) / 2;
      // torch.optim.SGD with momentum 0.9, dampening 0: buf ← 0.9·buf + g; θ ← θ − lr·buf
      for (let i = 0; i < mw.length; i++) c.w[i]! -= rate * (mw[i] = 0.9 * mw[i]! + gw[i]!);
      for (let q = 0; q < k; q++) c.b[q]! -= rate * (mb[q] = 0.9 * mb[q]! + gb[q]!);
      t++;
    }
  }
  return c;
}

/** Top-1 and top-5 accuracy of `c` on `rows` of x. */
function accuracy(
  c: Classifier,
  x: Float32Array,
  y: Int32Array,
  rows: ArrayLike<number>,
  d: number,
): [number, number] {
  const k = c.b.length;
  const z = new Float64Array(k);
  let top1 = 0;
  let top5 = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    logits(c, x, r, d, z);
    const s = z[y[r]!]!;
    let rank = 0;
    for (let q = 0; q < k; q++) if (z[q]! > s || (z[q] === s && q < y[r]!)) rank++;
    if (rank === 0) top1++;
    if (rank < 5) top5++;
  }
  return [top1 / Math.max(1, rows.length), top5 / Math.max(1, rows.length)];
}

export function linearProbe(
  trainSet: LabelledFeatures,
  testSet: LabelledFeatures,
  dim: number,
  options: LinearProbeOptions = {},
): LinearProbeResult {
  const o: Required<LinearProbeOptions> = {
    lrs: options.lrs ?? LINEAR_DEFAULTS.lrs,
    epochs: options.epochs ?? LINEAR_DEFAULTS.epochs,
    batch: options.batch ?? LINEAR_DEFAULTS.batch,
    valFraction: options.valFraction ?? LINEAR_DEFAULTS.valFraction,
    seed: options.seed ?? LINEAR_DEFAULTS.seed,
    numClasses: options.numClasses ?? 1 + Math.max(...trainSet.labels, ...testSet.labels),
  };
  assertFinite(trainSet.features, dim, "linear-probe training features");
  assertFinite(testSet.features, dim, "linear-probe test features");
  const n = trainSet.labels.length;
  const nVal = Math.max(1, Math.round(n * o.valFraction));
  if (n - nVal < 1 || o.lrs.length === 0)
    throw new InternalError(`linear probe: ${n} training samples, ${o.lrs.length} learning rates`);
  const norm = standardiser(trainSet.features, n, dim);
  const x = norm(trainSet.features);
  const xt = norm(testSet.features);
  const perm = Rng.derive(o.seed, "linear-split").permutation(n);
  const val = perm.subarray(0, nVal);
  const fit = perm.subarray(nVal);
  let best: { cand: LinearCandidate; c: Classifier } | undefined;
  const candidates: LinearCandidate[] = [];
  for (const lr of o.lrs) {
    const c = train(x, trainSet.labels, fit, dim, o.numClasses, lr, o);
    const cand = { lr, valTop1: accuracy(c, x, trainSet.labels, val, dim)[0] };
    candidates.push(cand);
    if (!best || cand.valTop1 > best.cand.valTop1) best = { cand, c };
  }
  const all = Int32Array.from({ length: testSet.labels.length }, (_, i) => i);
  const [testTop1, testTop5] = accuracy(best!.c, xt, testSet.labels, all, dim);
  return { candidates, best: best!.cand, testTop1, testTop5, train: fit.length, val: nVal, test: all.length };
}
