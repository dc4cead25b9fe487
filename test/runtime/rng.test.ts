import { describe, expect, it } from "vitest";
import { Rng } from "../../src/runtime/rng.js";

/** The first five 32-bit outputs of `r`. */
const firstDraws = (r: Rng): number[] => Array.from({ length: 5 }, () => r.nextUint32());

describe("Rng", () => {
  it("is deterministic per seed and keys, and keys separate streams", () => {
    const a = firstDraws(Rng.derive(7, "crops", 3));
    const b = firstDraws(Rng.derive(7, "crops", 3));
    const c = firstDraws(Rng.derive(7, "crops", 4));
    const d = firstDraws(Rng.derive(8, "crops", 3));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
    expect(Rng.derive(1, "ab").nextUint32()).not.toBe(Rng.derive(1, "a", "b").nextUint32());
  });

  it("resumes bit-identically from a JSON round trip of its state", () => {
    const r = Rng.derive(42);
    for (let i = 0; i < 17; i++) r.random();
    const saved = JSON.parse(JSON.stringify(r.state()));
    const expected = [r.nextUint32(), r.random(), r.normal(), r.int(-5, 5), ...r.permutation(8)];
    const resumed = Rng.fromState(saved);
    expect([
      resumed.nextUint32(),
      resumed.random(),
      resumed.normal(),
      resumed.int(-5, 5),
      ...resumed.permutation(8),
    ]).toEqual(expected);
  });

  it("gives uniforms in [0,1) with mean 1/2 and variance 1/12", () => {
    const r = Rng.derive(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.random();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
  });

  it("draws every integer of an inclusive range about equally often", () => {
    const r = Rng.derive(2);
    const counts = new Array(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[r.int(3, 9) - 3]++;
    // chi-square with 6 degrees of freedom: 22.5 is the 0.999 quantile
    const chi2 = counts.reduce((a, c) => a + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chi2).toBeLessThan(22.5);
    expect(() => r.int(3, 2)).toThrow();
  });

  it("gives standard normals", () => {
    const r = Rng.derive(3);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });

  it("shuffles into a permutation with uniform positions", () => {
    const r = Rng.derive(4);
    const firstCounts = new Array(5).fill(0);
    let broken = 0;
    for (let t = 0; t < 10_000; t++) {
      const p = r.permutation(5);
      if ([...p].sort().join() !== "0,1,2,3,4") broken++;
      firstCounts[p[0]!]++;
    }
    expect(broken).toBe(0);
    for (const c of firstCounts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });
});
