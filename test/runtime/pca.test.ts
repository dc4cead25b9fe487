// PCA (power iteration) against a known spectrum, and the foreground/colour picture on planted patch tokens.
import { describe, expect, it } from "vitest";
import { pca, project } from "../../src/runtime/post/pca.js";
import { pcaMap, sideBySide } from "../../src/runtime/post/pca-picture.js";
import { Rng } from "../../src/runtime/rng.js";

describe("pca", () => {
  it("finds planted directions in order of variance, via the covariance and via the Gram matrix", () => {
    const rng = Rng.derive(1, "pca");
    const d = 6;
    for (const n of [200, 4]) {
      // variances 9, 4, 1 along axes 2, 0, 5, tiny noise elsewhere
      const x = new Float32Array(n * d);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < d; j++) x[r * d + j] = 0.01 * rng.normal();
        x[r * d + 2]! += 3 * rng.normal();
        x[r * d + 0]! += 2 * rng.normal();
        x[r * d + 5]! += 1 * rng.normal();
      }
      const p = pca(x, n, d, 3);
      const axes = p.components.map((u) =>
        u.reduce((best, v, j) => (Math.abs(v) > Math.abs(u[best]!) ? j : best), 0),
      );
      if (n > d) expect(axes).toEqual([2, 0, 5]);
      for (const u of p.components) expect(u.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 8);
      expect(p.variances[0]!).toBeGreaterThanOrEqual(p.variances[1]!);
      // scores are centred
      const s = project(p, x, n, d);
      expect(Math.abs(s.filter((_, i) => i % 3 === 0).reduce((a, b) => a + b, 0) / n)).toBeLessThan(1e-6);
    }
  });
});

describe("pca picture", () => {
  it("separates a planted object from the background and colours only the object", () => {
    const grid = 8;
    const dim = 16;
    const rng = Rng.derive(2, "picture");
    const tokens = new Float32Array(grid * grid * dim);
    const inside = (r: number, c: number): boolean => r >= 2 && r < 6 && c >= 3 && c < 7;
    for (let r = 0; r < grid; r++)
      for (let c = 0; c < grid; c++)
        for (let j = 0; j < dim; j++)
          tokens[(r * grid + c) * dim + j] =
            0.1 * rng.normal() + (inside(r, c) ? (j === 3 ? 4 : 0) + (j === 7 ? c - 4.5 : 0) : 0);
    const map = pcaMap(tokens, grid, dim);
    for (let r = 0; r < grid; r++)
      for (let c = 0; c < grid; c++) expect(map.foreground[r * grid + c]).toBe(inside(r, c) ? 1 : 0);
    for (let i = 0; i < grid * grid; i++)
      if (!map.foreground[i]) expect(map.rgb.slice(3 * i, 3 * i + 3)).toEqual(new Float32Array(3));
    // the object's column gradient is its main variation: the red channel follows the column
    const red = [3, 4, 5, 6].map((c) => map.rgb[3 * (3 * grid + c)]!);
    const increasing = red.every((v, i) => i === 0 || v > red[i - 1]!);
    const decreasing = red.every((v, i) => i === 0 || v < red[i - 1]!);
    expect(increasing || decreasing).toBe(true);
    const pic = sideBySide({ data: new Float32Array(3 * 32 * 32).fill(0.5), width: 32, height: 32 }, map, 2);
    expect([pic.width, pic.height]).toEqual([2 * 64 + 4, 64]);
  });
});
