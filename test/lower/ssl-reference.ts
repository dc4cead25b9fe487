// Independent float64 re-statements of the SSL heads, losses and optimiser (reference §2, §3, §6, §7), written
// directly from the PyTorch code's steps with plain arrays. The lowering tests compare the emitted graphs against
// these; they share no code with src/lower so a misreading would have to be made twice to pass.
export type Mat = number[][];

export const rows = (m: Mat): number => m.length;

export function matmulT(x: Mat, w: Mat): Mat {
  // x [n, in] · w[out, in]^T, the nn.Linear convention
  return x.map((r) => w.map((wr) => wr.reduce((s, v, i) => s + v * r[i]!, 0)));
}

export function linear(x: Mat, w: Mat, b?: number[]): Mat {
  const y = matmulT(x, w);
  return b ? y.map((r) => r.map((v, i) => v + b[i]!)) : y;
}

/** erf to ~1e-15: Maclaurin series near 0, continued fraction for erfc in the tails. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (-a * a) / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

export const gelu = (v: number): number => 0.5 * v * (1 + erf(v / Math.SQRT2));
export const mapMat = (m: Mat, f: (v: number) => number): Mat => m.map((r) => r.map(f));

export function l2normalize(x: Mat, eps: number): Mat {
  return x.map((r) => {
    const n = Math.max(Math.sqrt(r.reduce((s, v) => s + v * v, 0)), eps);
    return r.map((v) => v / n);
  });
}

/** weight_norm(dim=0): W_k = g_k · v_k / ‖v_k‖ */
export function weightNormWeight(g: number[], v: Mat): Mat {
  return v.map((r, k) => {
    const n = Math.sqrt(r.reduce((s, x) => s + x * x, 0));
    return r.map((x) => (g[k]! * x) / n);
  });
}

export type Params = Record<string, { shape: number[]; data: number[] }>;

function mat(p: Params, name: string): Mat {
  const t = p[name];
  if (!t) throw new Error(`reference: missing ${name}`);
  const [r, c] = t.shape as [number, number];
  return Array.from({ length: r }, (_, i) => t.data.slice(i * c, (i + 1) * c));
}

function vec(p: Params, name: string): number[] {
  const t = p[name];
  if (!t) throw new Error(`reference: missing ${name}`);
  return t.data;
}

export interface HeadShape {
  layers: number;
  l2norm: boolean;
  geluAfterBottleneck: boolean;
  /** Matryoshka widths; undefined = a plain DINOHead */
  widths?: number[];
}

function mlp(p: Params, prefix: string, x: Mat, h: HeadShape): Mat {
  // _build_mlp(nlayers=1) is a bare nn.Linear: no index in its names, no activation
  if (h.layers === 1) return linear(x, mat(p, `${prefix}.weight`), vec(p, `${prefix}.bias`));
  let y = x;
  for (let i = 0; i < h.layers; i++) {
    y = linear(y, mat(p, `${prefix}.${2 * i}.weight`), vec(p, `${prefix}.${2 * i}.bias`));
    if (i < h.layers - 1 || h.geluAfterBottleneck) y = mapMat(y, gelu);
  }
  return y;
}

/** DINOHead (§2.1) or MRLDINOHead F+ (§2.2): one logits matrix per level. */
export function headRef(p: Params, prefix: string, x: Mat, h: HeadShape): Mat[] {
  const finish = (z: Mat, last: string): Mat => {
    const zz = h.l2norm ? l2normalize(z, 1e-12) : z;
    return matmulT(zz, weightNormWeight(vec(p, `${last}.weight_g`), mat(p, `${last}.weight_v`)));
  };
  if (!h.widths) return [finish(mlp(p, `${prefix}.mlp`, x, h), `${prefix}.last_layer`)];
  return h.widths.map((d, l) => {
    const sliced = x.map((r) => r.slice(0, d));
    const proj = linear(
      sliced,
      mat(p, `${prefix}.matryoshka_projections.${l}.weight`),
      vec(p, `${prefix}.matryoshka_projections.${l}.bias`),
    );
    return finish(mlp(p, `${prefix}.mlps.${l}`, proj, h), `${prefix}.last_layers.${l}`);
  });
}

export function logSoftmax(r: number[]): number[] {
  const m = Math.max(...r);
  const lse = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
  return r.map((v) => v - lse);
}

export const softmax = (r: number[]): number[] => logSoftmax(r).map(Math.exp);

/** H(t, s) = −Σ t · log_softmax(s/τ) per row */
export function crossEntropyRows(t: Mat, s: Mat, temp: number): number[] {
  return s.map((r, i) => {
    const ls = logSoftmax(r.map((v) => v / temp));
    return -ls.reduce((acc, v, k) => acc + t[i]![k]! * v, 0);
  });
}

/**
 * DINOv2's sinkhorn_knopp_teacher, step for step (§3.2), single process. `cols` restricts the samples to the first
 * `cols` rows of z (DINOv2's iBOT slices to n_masked before the Sinkhorn); `preNormalise` is DINOv2's Q/ΣQ.
 */
export function sinkhornRef(z: Mat, temp: number, iters: number, preNormalise = true): Mat {
  const B = z.length;
  const K = z[0]!.length;
  // Q[k][b]
  const Q: Mat = Array.from({ length: K }, (_, k) => z.map((r) => Math.exp(r[k]! / temp)));
  if (preNormalise) {
    const total = Q.reduce((s, r) => s + r.reduce((a, v) => a + v, 0), 0);
    for (const r of Q) for (let b = 0; b < B; b++) r[b]! /= total;
  }
  for (let it = 0; it < iters; it++) {
    for (const r of Q) {
      const s = r.reduce((a, v) => a + v, 0);
      for (let b = 0; b < B; b++) r[b] = r[b]! / s / K;
    }
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += Q[k]![b]!;
      for (let k = 0; k < K; k++) Q[k]![b] = Q[k]![b]! / s / B;
    }
  }
  return z.map((_, b) => Q.map((r) => r[b]! * B));
}

/** softmax((z − c)/τ) and the next center m·c + (1−m)·mean_rows(z) (§3.2 centering). */
export function centeringRef(
  z: Mat,
  center: number[],
  temp: number,
  momentum: number,
): { targets: Mat; center: number[] } {
  const targets = z.map((r) => softmax(r.map((v, k) => (v - center[k]!) / temp)));
  const mean = center.map((_, k) => z.reduce((s, r) => s + r[k]!, 0) / z.length);
  return { targets, center: center.map((c, k) => momentum * c + (1 - momentum) * mean[k]!) };
}

const chunk = (m: Mat, n: number): Mat[] => {
  const size = m.length / n;
  return Array.from({ length: n }, (_, i) => m.slice(i * size, (i + 1) * size));
};
const mean = (xs: number[]): number => xs.reduce((a, v) => a + v, 0) / xs.length;

/**
 * DINO CLS loss (§3.3) for one level. `swappedTargets` are the teacher targets of [crop2; crop1] (DINOv2 swaps the
 * teacher CLS rows by view before the head), so row i is the other view of student global row i.
 */
export function dinoLossRef(
  studentGlobal: Mat,
  studentLocal: Mat,
  swappedTargets: Mat,
  nLocal: number,
  temp: number,
): { local: number; global: number } {
  const terms = 2 + Math.max(2 * nLocal, 1);
  const tChunks = chunk(swappedTargets, 2);
  let local = 0;
  if (nLocal > 0)
    for (const s of chunk(studentLocal, nLocal))
      for (const t of tChunks) local += mean(crossEntropyRows(t, s, temp));
  const global = (2 * mean(crossEntropyRows(swappedTargets, studentGlobal, temp))) / terms;
  return { local: local / terms, global };
}

/** iBOT masked loss (§3.4): Σ_j w_j H(t_j, s_j) over the first n valid rows, over 2B. */
export function ibotLossRef(
  student: Mat,
  targets: Mat,
  weights: number[],
  nMasked: number,
  nImages: number,
  temp: number,
): number {
  const h = crossEntropyRows(targets.slice(0, nMasked), student.slice(0, nMasked), temp);
  return h.reduce((a, v, j) => a + v * weights[j]!, 0) / nImages;
}

/** KoLeo on one chunk (§3.5). */
export function koleoRef(x: Mat): number {
  const xn = l2normalize(x, 1e-8);
  const n = xn.length;
  const d = xn.map((r, i) => {
    let best = -Infinity;
    let arg = 0;
    for (let j = 0; j < n; j++) {
      const dot = i === j ? -1 : r.reduce((s, v, k) => s + v * xn[j]![k]!, 0);
      if (dot > best) {
        best = dot;
        arg = j;
      }
    }
    return Math.sqrt(r.reduce((s, v, k) => s + (v - xn[arg]![k]! + 1e-8) ** 2, 0));
  });
  return -mean(d.map((v) => Math.log(v + 1e-8)));
}

/** torch.nn.utils.clip_grad_norm_ over one module: returns the scale applied and the pre-clip norm. */
export function clipRef(grads: number[][], maxNorm: number): { scale: number; norm: number } {
  const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0));
  return { scale: Math.min(maxNorm / (norm + 1e-6), 1), norm };
}

/** torch.optim.AdamW single-tensor step (amsgrad off); `t` is the step count after increment (1 on the first). */
export function adamwRef(
  theta: number[],
  grad: number[],
  m: number[],
  v: number[],
  t: number,
  o: { lr: number; wd: number; beta1: number; beta2: number; eps: number },
): { theta: number[]; m: number[]; v: number[] } {
  const bc1 = 1 - o.beta1 ** t;
  const bc2 = Math.sqrt(1 - o.beta2 ** t);
  const m2 = m.map((x, i) => o.beta1 * x + (1 - o.beta1) * grad[i]!);
  const v2 = v.map((x, i) => o.beta2 * x + (1 - o.beta2) * grad[i]! * grad[i]!);
  const th = theta.map((x, i) => {
    const decayed = x * (1 - o.lr * o.wd);
    return decayed - (o.lr / bc1) * (m2[i]! / (Math.sqrt(v2[i]!) / bc2 + o.eps));
  });
  return { theta: th, m: m2, v: v2 };
}
