// Principal components of a small set of feature vectors (rows of [n, d]), in float64: the covariance d×d
// (or the Gram n×n when n < d, which is cheaper and has the same non-zero spectrum), then the top k eigenvectors by
// power iteration with deflation. Enough for k ≤ 3 on a few thousand patch tokens; signs are made deterministic by
// making each component's largest-magnitude loading positive.

export interface Pca {
  /** [k, d] unit principal directions */
  readonly components: Float64Array[];
  /** variance along each */
  readonly variances: number[];
  readonly mean: Float64Array;
}

function powerIteration(
  m: Float64Array,
  size: number,
  found: readonly Float64Array[],
  seed: number,
): [Float64Array, number] {
  let v = Float64Array.from({ length: size }, (_, i) => Math.sin(1 + i * 12.9898 + seed * 78.233));
  let lambda = 0;
  for (let it = 0; it < 300; it++) {
    for (const u of found) {
      let p = 0;
      for (let i = 0; i < size; i++) p += u[i]! * v[i]!;
      for (let i = 0; i < size; i++) v[i]! -= p * u[i]!;
    }
    const w = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      let s = 0;
      for (let j = 0; j < size; j++) s += m[i * size + j]! * v[j]!;
      w[i] = s;
    }
    let norm = 0;
    for (const x of w) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm === 0) return [v, 0];
    const next = w.map((x) => x / norm);
    let change = 0;
    for (let i = 0; i < size; i++) change += Math.abs(Math.abs(next[i]!) - Math.abs(v[i]!));
    v = next;
    lambda = norm;
    if (change < 1e-10 * size) break;
  }
  return [v, lambda];
}

/** Top-k principal components of the `n` rows of `x` [n, d]. */
export function pca(x: Float32Array | Float64Array, n: number, d: number, k: number): Pca {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j]! += x[r * d + j]! / n;
  const c = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) c[r * d + j] = x[r * d + j]! - mean[j]!;
  const gram = n < d;
  const size = gram ? n : d;
  const m = new Float64Array(size * size);
  if (gram) {
    for (let a = 0; a < n; a++)
      for (let b = a; b < n; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += c[a * d + j]! * c[b * d + j]!;
        m[a * n + b] = m[b * n + a] = s;
      }
  } else {
    for (let r = 0; r < n; r++)
      for (let i = 0; i < d; i++) {
        const ci = c[r * d + i]!;
        if (ci === 0) continue;
        for (let j = i; j < d; j++) m[i * d + j]! += ci * c[r * d + j]!;
      }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) m[i * d + j] = m[j * d + i]!;
  }
  const found: Float64Array[] = [];
  const components: Float64Array[] = [];
  const variances: number[] = [];
  for (let t = 0; t < Math.min(k, size); t++) {
    const [v, lambda] = powerIteration(m, size, found, t);
    found.push(v);
    // Gram eigenvector v (over samples) → direction cᵀv / ‖cᵀv‖ (over features)
    let dir = v;
    if (gram) {
      dir = new Float64Array(d);
      for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) dir[j]! += c[r * d + j]! * v[r]!;
      let norm = 0;
      for (const q of dir) norm += q * q;
      norm = Math.sqrt(norm) || 1;
      dir = dir.map((q) => q / norm);
    }
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(dir[j]!) > Math.abs(dir[big]!)) big = j;
    if (dir[big]! < 0) dir = dir.map((q) => -q);
    components.push(dir);
    variances.push(lambda / Math.max(1, n - 1));
  }
  return { components, variances, mean };
}

/** Scores of the rows of `x` on the components: [n, k] row-major. */
export function project(p: Pca, x: Float32Array | Float64Array, n: number, d: number): Float64Array {
  const k = p.components.length;
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++)
    for (let t = 0; t < k; t++) {
      const u = p.components[t]!;
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[r * d + j]! - p.mean[j]!) * u[j]!;
      out[r * k + t] = s;
    }
  return out;
}
