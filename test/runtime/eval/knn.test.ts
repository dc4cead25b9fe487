import { describe, expect, it } from "vitest";
import { dotBlock, knnEvaluate, l2Normalize, topK } from "../../../src/runtime/eval/knn.js";
import { createSimdSimilarity } from "../../../src/runtime/eval/simd-similarity.js";
import { Rng } from "../../../src/runtime/rng.js";

// Straightforward reference: normalise, all similarities, full sort, exp-weighted votes over the first k.
function bruteForce(
  train: { features: Float32Array; labels: Int32Array },
  test: typeof train,
  dim: number,
  k: number,
  T: number,
) {
  const norm = (f: Float32Array, i: number) => {
    const row = Array.from(f.subarray(i * dim, (i + 1) * dim));
    const n = Math.hypot(...row);
    return row.map((v) => v / n);
  };
  const tr = Array.from({ length: train.labels.length }, (_, i) => norm(train.features, i));
  let top1 = 0;
  let top5 = 0;
  for (let q = 0; q < test.labels.length; q++) {
    const x = norm(test.features, q);
    const sims = tr
      .map((t, j) => ({ j, s: t.reduce((a, v, d) => a + v * x[d]!, 0) }))
      .sort((a, b) => b.s - a.s || a.j - b.j);
    const scores = new Map<number, number>();
    for (const { j, s } of sims.slice(0, k))
      scores.set(train.labels[j]!, (scores.get(train.labels[j]!) ?? 0) + Math.exp(s / T));
    const ranked = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([c]) => c);
    const label = test.labels[q]!;
    if (ranked[0] === label) top1++;
    if (ranked.slice(0, 5).includes(label)) top5++;
  }
  return { top1: top1 / test.labels.length, top5: top5 / test.labels.length };
}

function blobs(
  n: number,
  dim: number,
  classes: number,
  spread: number,
  seed: number,
  centres?: Float32Array[],
) {
  const r = Rng.derive(seed);
  const c =
    centres ?? Array.from({ length: classes }, () => Float32Array.from({ length: dim }, () => r.normal()));
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = r.int(0, classes - 1);
    for (let d = 0; d < dim; d++) features[i * dim + d] = c[labels[i]!]![d]! + spread * r.normal();
  }
  return { data: { features, labels }, centres: c };
}

describe("kNN (§10.1)", () => {
  it("agrees with a brute-force implementation", () => {
    for (const [dim, classes, spread] of [
      [13, 12, 1.2],
      [32, 7, 2.5],
      [3, 6, 0.8],
    ] as const) {
      const train = blobs(301, dim, classes, spread, 1);
      const test = blobs(97, dim, classes, spread, 2, train.centres);
      const got = knnEvaluate(train.data, test.data, dim, { k: [1, 10, 20], temperature: 0.07 });
      expect(knnEvaluate(train.data, test.data, dim, { k: [1, 10, 20], kernel: "scalar" })).toEqual(got);
      for (const g of got) {
        const want = bruteForce(train.data, test.data, dim, g.k, 0.07);
        expect([g.top1, g.top5]).toEqual([want.top1, want.top5]);
      }
    }
  });

  it("separates a separable problem and is at chance on noise", () => {
    const train = blobs(2000, 16, 10, 0.3, 3);
    const test = blobs(500, 16, 10, 0.3, 4, train.centres);
    const [acc] = knnEvaluate(train.data, test.data, 16);
    expect(acc!.k).toBe(20);
    expect(acc!.top1).toBeGreaterThan(0.99);
    const shuffled = {
      features: train.data.features,
      labels: Rng.derive(5).shuffle(Int32Array.from(train.data.labels)),
    };
    const [noise] = knnEvaluate(shuffled, test.data, 16, { k: [20] });
    expect(noise!.top1).toBeLessThan(0.2);
    expect(noise!.top5).toBeGreaterThan(0.3);
  });

  it("computes every entry of the tiled product, ragged edges included", () => {
    const dim = 5;
    const a = l2Normalize(blobs(11, dim, 2, 1, 6).data.features, dim);
    const b = l2Normalize(blobs(7, dim, 2, 1, 7).data.features, dim);
    const sims = new Float32Array(9 * 7);
    dotBlock(a, 2, 9, b, 7, dim, sims);
    for (let i = 0; i < 9; i++)
      for (let j = 0; j < 7; j++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += a[(2 + i) * dim + d]! * b[j * dim + d]!;
        expect(sims[i * 7 + j]).toBeCloseTo(s, 6);
      }
  });

  it("SIMD kernel equals the scalar product (odd sizes are padded)", () => {
    const simd = createSimdSimilarity();
    expect(simd).toBeDefined(); // Node 20 has WebAssembly SIMD; elsewhere knnEvaluate falls back to the scalar loop
    for (const [dim, nA, nB] of [
      [13, 70, 37],
      [4, 5, 4],
      [130, 9, 129],
      [1, 3, 2],
    ] as const) {
      const a = blobs(nA, dim, 3, 1, 8).data.features;
      const b = blobs(nB, dim, 3, 1, 9).data.features;
      simd!.setTrain(b, nB, dim);
      const rows = nA - 1;
      const fast = new Float32Array(rows * nB);
      const slow = new Float32Array(rows * nB);
      simd!.block(a, 1, rows, fast);
      dotBlock(a, 1, rows, b, nB, dim, slow);
      let worst = 0;
      fast.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - slow[i]!) / (1 + Math.abs(slow[i]!)))));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it("selects the top k in order, lower index first on ties", () => {
    const row = Float32Array.from([0.1, 0.9, 0.5, 0.9, -1, 0.7, 0.5]);
    const idx = new Int32Array(4);
    const val = new Float32Array(4);
    expect(topK(row, 0, 7, 4, idx, val)).toBe(4);
    expect([...idx]).toEqual([1, 3, 5, 2]);
    expect(topK(row, 2, 3, 10, idx, val)).toBe(3); // fewer candidates than k
    expect([...idx.subarray(0, 3)]).toEqual([1, 0, 2]);
  });
});
