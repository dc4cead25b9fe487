// RASA's removal operator folded into one D×D matrix (reference §8.2): each [2, D] regressor weight defines the
// projector P_k = I − u_r u_rᵀ − u_c u_cᵀ (row normalised, column Gram–Schmidt'ed against it); the head applies
// them in order to row-vector tokens, so X_out = X · P_0 · P_1 ⋯ P_n. Composed in float64 and rounded once.

function unit(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The orthonormal pair (u_r, u_c) of one regressor weight `w` [2, D] (row 0 = grid row, row 1 = grid column). */
export function rasaBasis(w: Float32Array, dim: number): [Float64Array, Float64Array] {
  const ur = unit(Float64Array.from(w.subarray(0, dim)));
  const uc0 = unit(Float64Array.from(w.subarray(dim, 2 * dim)));
  const p = dot(uc0, ur);
  const uc = unit(uc0.map((x, i) => x - p * ur[i]!));
  return [ur, uc];
}

/** M = P_0 · P_1 ⋯ P_n, row-major [D, D], so that cleaned tokens are `tokens · M`. */
export function rasaMatrix(weights: readonly Float32Array[], dim: number): Float32Array {
  const m = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) m[i * dim + i] = 1;
  const mu = new Float64Array(dim);
  for (const w of weights) {
    for (const u of rasaBasis(w, dim)) {
      // M ← M (I − u uᵀ) = M − (M u) uᵀ; the two directions are orthogonal, so applying them one after the other
      // equals subtracting both at once.
      for (let i = 0; i < dim; i++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += m[i * dim + j]! * u[j]!;
        mu[i] = s;
      }
      for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) m[i * dim + j]! -= mu[i]! * u[j]!;
    }
  }
  return Float32Array.from(m);
}
