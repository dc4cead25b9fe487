import { describe, expect, it } from "vitest";
import { BlockMaskGenerator, dinov2MaxNumPatches, roundHalfEven } from "../../../src/runtime/masks/block.js";
import { collateMasks, linspace } from "../../../src/runtime/masks/collate.js";
import { createMaskGenerator } from "../../../src/runtime/masks/create.js";
import { CyclicMaskGenerator } from "../../../src/runtime/masks/cyclic.js";
import { Rng } from "../../../src/runtime/rng.js";

const sum = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);

// masked counts per grid position over many masks with ratios in [lo, hi]
function frequencies(
  gen: { generate(n: number, r: Rng): Uint8Array },
  cells: number,
  samples: number,
  lo: number,
  hi: number,
) {
  const r = Rng.derive(99);
  const counts = new Float64Array(cells);
  let total = 0;
  for (let s = 0; s < samples; s++) {
    const m = gen.generate(Math.trunc(cells * r.uniform(lo, hi)), r);
    for (let i = 0; i < cells; i++) counts[i] = counts[i]! + m[i]!;
    total += sum(m);
  }
  return { counts, expected: total / cells };
}

describe("Franca cyclic mask (§4.3)", () => {
  it("masks exactly the requested count on square and elongated grids", () => {
    const r = Rng.derive(1);
    for (const [h, w] of [
      [8, 8],
      [16, 16],
      [4, 12],
      [12, 3],
      [1, 7],
    ] as const) {
      const gen = new CyclicMaskGenerator({ gridH: h, gridW: w });
      for (let n = 0; n <= h * w; n++) {
        for (let t = 0; t < 3; t++) expect(sum(gen.generate(n, r))).toBe(n);
      }
    }
  });

  it("leaves one visible block, contiguous on the torus", () => {
    const r = Rng.derive(2);
    const gen = new CyclicMaskGenerator({ gridH: 8, gridW: 8 });
    for (let t = 0; t < 200; t++) {
      const m = gen.generate(r.int(1, 63), r);
      // flood fill the visible cells with wrap-around: one component
      const start = m.indexOf(0);
      const seen = new Set([start]);
      const stack = [start];
      while (stack.length) {
        const i = stack.pop()!;
        const [y, x] = [Math.floor(i / 8), i % 8];
        for (const [dy, dx] of [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
        ]) {
          const j = ((y + dy! + 8) % 8) * 8 + ((x + dx! + 8) % 8);
          if (m[j] === 0 && !seen.has(j)) {
            seen.add(j);
            stack.push(j);
          }
        }
      }
      expect(seen.size).toBe(64 - sum(m));
    }
  });

  it("masks every position equally often", () => {
    const { counts, expected } = frequencies(
      new CyclicMaskGenerator({ gridH: 8, gridW: 8 }),
      64,
      6000,
      0.1,
      0.65,
    );
    // Pearson statistic against the uniform expectation; 63 degrees of freedom: the 0.999 quantile is ≈ 103.4
    const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(103.4);
    for (const c of counts) expect(Math.abs(c / expected - 1)).toBeLessThan(0.06);
  });
});

describe("DINOv2 block mask (§4.2)", () => {
  it("evaluates max_num_patches with the reference's floor divisions", () => {
    expect(dinov2MaxNumPatches(224, 14)).toBe(128);
    expect(dinov2MaxNumPatches(224, 16)).toBe(98);
    expect(dinov2MaxNumPatches(518, 14)).toBe(666);
    expect([0.5, 1.5, 2.5, -0.5, 2.4999].map(roundHalfEven)).toEqual([0, 2, 2, -0, 2]);
  });

  it("never exceeds the target and comes close to it on average", () => {
    const r = Rng.derive(3);
    const gen = new BlockMaskGenerator({ gridH: 16, gridW: 16, maxNumPatches: 128 });
    let got = 0;
    let wanted = 0;
    for (let t = 0; t < 500; t++) {
      const n = Math.trunc(256 * r.uniform(0.1, 0.5));
      const m = sum(gen.generate(n, r));
      expect(m).toBeLessThanOrEqual(n);
      got += m;
      wanted += n;
    }
    expect(got / wanted).toBeGreaterThan(0.85);
    expect(sum(gen.generate(0, r))).toBe(0);
  });

  it("masks the centre more often than the corners (the imbalance cyclic masks remove)", () => {
    const { counts } = frequencies(
      new BlockMaskGenerator({ gridH: 8, gridW: 8, maxNumPatches: 32 }),
      64,
      4000,
      0.1,
      0.5,
    );
    const at = (y: number, x: number) => counts[y * 8 + x]!;
    const centre = at(3, 3) + at(3, 4) + at(4, 3) + at(4, 4);
    const corners = at(0, 0) + at(0, 7) + at(7, 0) + at(7, 7);
    expect(centre / corners).toBeGreaterThan(1.5);
  });
});

describe("mask collation (§4.1)", () => {
  it("masks exactly ⌊2B·p⌋ images with stratified ratios, shuffled", () => {
    const gen = createMaskGenerator("cyclic", 224, 14); // 16×16 grid
    const N = 256;
    const firstMaskedSlots = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const c = collateMasks(32, gen, { ratio: [0.1, 0.65], images: 0.5 }, Rng.derive(seed));
      const counts = [...c.maskedCount];
      expect(counts.filter((x) => x > 0).length).toBe(16);
      firstMaskedSlots.add(counts.findIndex((x) => x > 0));
      // strata do not overlap, so the k-th smallest masked count lies in stratum k (cyclic masks are exact)
      const probs = linspace(0.1, 0.65, 17);
      const sorted = counts.filter((x) => x > 0).sort((a, b) => a - b);
      sorted.forEach((m, k) => {
        expect(m).toBeGreaterThanOrEqual(Math.trunc(N * probs[k]!));
        expect(m).toBeLessThanOrEqual(Math.trunc(N * probs[k + 1]!));
      });
      expect(c.upperbound).toBe(probs.slice(1).reduce((a, p) => a + Math.trunc(N * p), 0));
      expect(c.nMasked).toBe(sorted.reduce((a, b) => a + b, 0));
      // indices: ascending over the masked cells, then zero padding up to the upper bound; weights 1/m_i
      const flat = [...c.masks.keys()].filter((i) => c.masks[i] === 1);
      expect([...c.maskIndices.subarray(0, c.nMasked)]).toEqual(flat);
      expect(c.maskIndices.subarray(c.nMasked).every((x) => x === 0)).toBe(true);
      expect(c.maskWeights.subarray(c.nMasked).every((x) => x === 0)).toBe(true);
      flat.forEach((i, j) => expect(c.maskWeights[j]).toBeCloseTo(1 / c.maskedCount[Math.floor(i / N)]!, 7));
    }
    expect(firstMaskedSlots.size).toBeGreaterThan(1);
  });

  it("truncates 2B·p like Python's int() and bounds the block generator's undershoot", () => {
    const cyclic = createMaskGenerator("cyclic", 32, 4); // 8×8 grid: exact counts, so masked images are countable
    const maskedImages = (n: number, p: number) =>
      collateMasks(n, cyclic, { ratio: [0.1, 0.5], images: p }, Rng.derive(n)).maskedCount.filter(
        (x) => x > 0,
      ).length;
    expect(maskedImages(6, 0.5)).toBe(3);
    expect(maskedImages(10, 0.3)).toBe(3); // 10·0.3 = 3.0000000000000004
    expect(maskedImages(10, 0.05)).toBe(0);
    expect(maskedImages(7, 0.5)).toBe(3);

    const block = createMaskGenerator("block", 32, 4);
    for (let seed = 0; seed < 50; seed++) {
      const c = collateMasks(16, block, { ratio: [0.1, 0.5], images: 0.5 }, Rng.derive(seed));
      expect(c.maskedCount.filter((x) => x > 0).length).toBeLessThanOrEqual(8);
      expect(c.nMasked).toBeLessThanOrEqual(c.upperbound);
    }
  });
});
