// The RASA fold (§8.2): one D×D matrix equals the sequential removal of each 2-D subspace.
import { describe, expect, it } from "vitest";
import { rasaBasis, rasaMatrix } from "../../src/lower/post/rasa-fold.js";

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from(
    { length: n },
    () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1,
  );
}

// The head as RASAHead.forward runs it: normalise, Gram–Schmidt, subtract the projection, layer after layer.
function sequential(z: Float64Array, ws: Float32Array[], d: number): Float64Array {
  let x = Float64Array.from(z);
  for (const w of ws) {
    const norm = (v: number[]): number[] => {
      const n = Math.hypot(...v);
      return v.map((a) => a / n);
    };
    const ur = norm([...w.subarray(0, d)]);
    const ucRaw = norm([...w.subarray(d, 2 * d)]);
    const p = ucRaw.reduce((s, a, i) => s + a * ur[i]!, 0);
    const uc = norm(ucRaw.map((a, i) => a - p * ur[i]!));
    const zr = ur.reduce((s, a, i) => s + a * x[i]!, 0);
    const zc = uc.reduce((s, a, i) => s + a * x[i]!, 0);
    x = x.map((a, i) => a - zr * ur[i]! - zc * uc[i]!);
  }
  return x;
}

describe("RASA fold", () => {
  const d = 12;
  const ws = [rand(2 * d, 1), rand(2 * d, 2), rand(2 * d, 3)];

  it("builds an orthonormal pair per regressor", () => {
    const [ur, uc] = rasaBasis(ws[0]!, d);
    const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
    expect(dot(ur, ur)).toBeCloseTo(1, 12);
    expect(dot(uc, uc)).toBeCloseTo(1, 12);
    expect(dot(ur, uc)).toBeCloseTo(0, 12);
  });

  it("equals the sequential head on row-vector tokens", () => {
    const m = rasaMatrix(ws, d);
    for (let t = 0; t < 4; t++) {
      const z = Float64Array.from(rand(d, 10 + t));
      const want = sequential(z, ws, d);
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += z[i]! * m[i * d + j]!;
        expect(s).toBeCloseTo(want[j]!, 5);
      }
    }
  });

  it("removes the last regressor's directions entirely", () => {
    const m = rasaMatrix(ws, d);
    const [ur] = rasaBasis(ws[2]!, d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += m[i * d + j]! * ur[j]!;
      expect(Math.abs(s)).toBeLessThan(1e-6);
    }
  });
});
