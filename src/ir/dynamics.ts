// What the first training step will look like, estimated from the recipe alone: per DINO/iBOT head level the scale
// of the logits at initialisation, the entropy of the teacher targets and the loss at step 0, beside the value a
// uniform prediction gives (Σ log K). Each self-distillation loss term assembles its estimate from these functions
// (its `dynamics`); `vfmc info` prints them, the dynamics checks (src/lower/dynamics.ts) warn from them, and
// test/lower/dynamics-measured.test.ts compares them with the first step of the compiled graphs.
//
// The model of initialisation (reference §1.6, §2.1; dinov2/layers/dino_head.py, franca's MRL head):
//  • the heads read the final LayerNorm's output, whose channels have mean square 1 at init (weight 1, bias 0);
//  • every Linear is trunc_normal(0.02) with zero bias, so for a fixed input x each output is N(0, 0.02²·‖x‖²) and
//    the mean square goes from m to fan_in·0.02²·m; a GELU maps N(0, v) to E[GELU(X)²] (computed numerically);
//  • the last layer is weight-normed with gain 1: a logit is ‖z‖ times the cosine of z with a random direction,
//    so the logits of one sample have std ‖z‖/√bottleneck over the prototypes — 1/√bottleneck when z is
//    L2-normalised, √(mean square of z) when it is not;
//  • with LayerScale ≤ 1e-3 the residual branches add almost nothing, so the CLS token is cls_token + pos_embed[0]
//    for every image: all samples of the DINO loss coincide, and Sinkhorn–Knopp, which equalises each prototype's
//    mass over the samples, returns exactly uniform targets. Patch tokens carry their own pixels (the patch
//    embedding dominates pos_embed), so the iBOT samples differ from the start, and the student's masked tokens
//    (mask_token + position) are unrelated to the teacher's targets.
// Logits are treated as Gaussian over the prototypes, represented deterministically by the K normal quantiles
// Φ⁻¹((k + ½)/K); Sinkhorn over distinct samples is run on a fixed pseudo-random draw, at most 1024 prototypes.
import { HEAD_INIT } from "./init-scheme.js";
import { scheduleValue, type ClsLoss, type Head, type ModelIR } from "./model.js";

export interface LevelEstimate {
  readonly width: number;
  readonly prototypes: number;
  /** std over the prototypes of one sample's logits at init */
  readonly logitStd: number;
  /** logitStd / τs and logitStd / τt(step 0): the spread of the softmax inputs */
  readonly studentScale: number;
  readonly teacherScale: number;
  /** mean entropy of the teacher targets at step 0, nats */
  readonly targetEntropy: number;
  /** entropy of the student's predictions at step 0, nats */
  readonly studentEntropy: number;
  /** log K: the loss of a uniform prediction */
  readonly uniform: number;
  /** the level's cross-entropy at step 0 (before the loss weight and the iBOT masked share) */
  readonly loss0: number;
}

export interface LossEstimate {
  /** the loss term (its metric is `loss_<term>`) */
  readonly term: string;
  /** the head section the loss runs (`heads.dino`, or the DINO head when iBOT shares it) */
  readonly head: string;
  readonly bottleneck: number;
  readonly targets: ClsLoss["targets"];
  /** rows the teacher targets are computed over across the devices of the recipe */
  readonly samples: number;
  /** what those rows are, in words ("2 global crops × batch × devices") */
  readonly samplesAre: string;
  /** whether those rows coincide at init (the CLS token under a small LayerScale) */
  readonly samplesCoincide: boolean;
  /** what multiplies Σ over levels in the metric: the loss weight and the share of the batch that counts */
  readonly factor: number;
  readonly levels: readonly LevelEstimate[];
  /** factor · Σ log K: the metric when every level predicts uniformly */
  readonly uniform: number;
  /** factor · Σ loss0 */
  readonly loss0: number;
}

/** What a self-distillation term tells the estimate about itself. */
export interface SelfDistillation {
  readonly term: string;
  readonly head: Head;
  readonly headPath: string;
  /** the input width of a plain (not nested) head: backbone.dim */
  readonly dim: number;
  readonly loss: ClsLoss;
  readonly samples: number;
  readonly samplesAre: string;
  readonly samplesCoincide: boolean;
  readonly factor: number;
}

/** LayerScale at or below this leaves the CLS token the same for every image at init (see the header). */
export const COINCIDING_LAYERSCALE = 1e-3;

// ---- numerics ------------------------------------------------------------------------------------------------

/** erf, Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7) */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}

function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** E[GELU(X)²] for X ~ N(0, v), Simpson's rule over ±10σ */
export function geluMeanSquare(v: number): number {
  if (v <= 0) return 0;
  const sd = Math.sqrt(v);
  const n = 800;
  const h = (20 * sd) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const x = -10 * sd + i * h;
    const f = gelu(x) ** 2 * Math.exp((-x * x) / (2 * v));
    sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  return (sum * h) / 3 / (sd * Math.sqrt(2 * Math.PI));
}

/** Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9) */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

const quantileCache = new Map<number, Float64Array>();
/** the K standard-normal quantiles Φ⁻¹((k + ½)/K): a deterministic "typical" logit vector */
function quantiles(k: number): Float64Array {
  let q = quantileCache.get(k);
  if (!q) {
    q = new Float64Array(k);
    for (let i = 0; i < k; i++) q[i] = normalQuantile((i + 0.5) / k);
    quantileCache.set(k, q);
  }
  return q;
}

function logSumExp(g: Float64Array, scale: number): number {
  let max = -Infinity;
  for (const x of g) max = Math.max(max, scale * x);
  let s = 0;
  for (const x of g) s += Math.exp(scale * x - max);
  return max + Math.log(s);
}

/** entropy of softmax(scale · g) and Σ softmax(scale · g)_k · other · g_k */
function softmaxStats(g: Float64Array, scale: number, other: number): { entropy: number; cross: number } {
  const lse = logSumExp(g, scale);
  let h = 0;
  let cross = 0;
  for (const x of g) {
    const p = Math.exp(scale * x - lse);
    if (p > 0) h -= p * (scale * x - lse);
    cross += p * other * x;
  }
  return { entropy: h, cross };
}

/** a small deterministic generator for the Sinkhorn draw (mulberry32) with Box–Muller normals */
function normals(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

const MAX_PROTOTYPES = 1024;
const MAX_SAMPLES = 512;
const sinkhornCache = new Map<string, number>();

/**
 * Mean entropy of Sinkhorn–Knopp targets for `samples` distinct rows of iid N(0, scale²) logits over K prototypes.
 * Above 1024 prototypes the draw keeps the ratio K/samples at 1024 prototypes and adds log(K/1024): each target
 * spreads over the same share of the prototypes.
 */
export function sinkhornEntropy(k: number, samples: number, scale: number, iterations: number): number {
  const kk = Math.min(k, MAX_PROTOTYPES);
  const n = Math.max(1, Math.min(MAX_SAMPLES, Math.round((samples * kk) / k)));
  const key = `${kk}|${n}|${scale.toPrecision(6)}|${iterations}`;
  let h = sinkhornCache.get(key);
  if (h === undefined) {
    const z = normals(n * kk, 0x5eed);
    const q = new Float64Array(n * kk);
    let max = -Infinity;
    for (const x of z) max = Math.max(max, scale * x);
    for (let i = 0; i < q.length; i++) q[i] = Math.exp(scale * z[i]! - max);
    for (let it = 0; it < iterations; it++) {
      for (let c = 0; c < kk; c++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += q[r * kk + c]!;
        for (let r = 0; r < n; r++) q[r * kk + c]! /= s;
      }
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let c = 0; c < kk; c++) s += q[r * kk + c]!;
        for (let c = 0; c < kk; c++) q[r * kk + c]! /= s;
      }
    }
    h = 0;
    for (const p of q) if (p > 0) h -= p * Math.log(p);
    h /= n;
    sinkhornCache.set(key, h);
  }
  return h + Math.log(k / kk);
}

// ---- the estimates -------------------------------------------------------------------------------------------

/** mean square of the bottleneck output z of one head level, for a head input whose channels have mean square 1 */
export function bottleneckMeanSquare(head: Head, width: number): number {
  const s2 = HEAD_INIT.linearStd ** 2;
  let m = 1;
  if (head.nested > 1) m = width * s2 * m; // the F+ projection Linear(d → d)
  for (let i = 0; i < head.layers; i++) {
    const fanIn = i === 0 ? width : head.hidden;
    m = fanIn * s2 * m;
    const last = i === head.layers - 1;
    if (!last || (head.geluAfterBottleneck && head.layers > 1)) m = geluMeanSquare(m);
  }
  return m;
}

/** std over the prototypes of one sample's logits at init */
export function logitStd(head: Head, width: number): number {
  const norm = head.l2norm ? 1 : Math.sqrt(head.bottleneck * bottleneckMeanSquare(head, width));
  return (HEAD_INIT.weightG * norm) / Math.sqrt(head.bottleneck);
}

function levelEstimate(
  head: Head,
  level: { readonly width: number; readonly prototypes: number },
  loss: ClsLoss,
  samples: number,
  coincide: boolean,
): LevelEstimate {
  const std = logitStd(head, level.width);
  const k = level.prototypes;
  const tau0 = scheduleValue(loss.teacherTemp, 0);
  const studentScale = std / loss.studentTemp;
  const teacherScale = std / tau0;
  const g = quantiles(k);
  const lse = logSumExp(g, studentScale);
  let targetEntropy: number;
  let loss0: number;
  if (loss.targets === "sinkhorn") {
    // coinciding rows: every prototype's column is constant, so the first normalisation makes Q uniform
    targetEntropy = coincide
      ? Math.log(k)
      : sinkhornEntropy(k, samples, teacherScale, loss.sinkhornIterations);
    loss0 = lse; // the student is unrelated to targets that carry no information about it
  } else {
    // centering starts from a zero centre: softmax(z / τt); with coinciding rows the student is the same vector
    const t = softmaxStats(g, teacherScale, studentScale);
    targetEntropy = t.entropy;
    loss0 = coincide ? lse - t.cross : lse;
  }
  return {
    width: level.width,
    prototypes: k,
    logitStd: std,
    studentScale,
    teacherScale,
    targetEntropy,
    studentEntropy: softmaxStats(g, studentScale, 0).entropy,
    uniform: Math.log(k),
    loss0,
  };
}

/** The first-step estimate of one self-distillation loss over its head's levels. */
export function estimateLoss(d: SelfDistillation): LossEstimate {
  const levels = d.head.levels.map((lv) =>
    levelEstimate(
      d.head,
      d.head.nested > 1 ? lv : { width: d.dim, prototypes: lv.prototypes },
      d.loss,
      d.samples,
      d.samplesCoincide,
    ),
  );
  const sum = (f: (l: LevelEstimate) => number) => levels.reduce((a, l) => a + f(l), 0);
  return {
    term: d.term,
    head: d.headPath,
    bottleneck: d.head.bottleneck,
    targets: d.loss.targets,
    samples: d.samples,
    samplesAre: d.samplesAre,
    samplesCoincide: d.samplesCoincide,
    factor: d.factor,
    levels,
    uniform: d.factor * sum((l) => l.uniform),
    loss0: d.factor * sum((l) => l.loss0),
  };
}

/** Whether every image gives the same CLS token at init (see the header). */
export function clsTokensCoincide(m: ModelIR): boolean {
  return m.backbone.layerscale > 0 && m.backbone.layerscale <= COINCIDING_LAYERSCALE;
}

/** Σ over the run of the learning rate: about the farthest AdamW can move one weight (its steps are ≤ lr). */
export function lrTravel(m: ModelIR): number {
  let travel = 0;
  for (let s = 0; s < m.train.totalSteps; s++) travel += scheduleValue(m.optim.lr, s);
  return travel;
}
