// The position-embedding resize matrices (reference §1.5) against a direct 2-D evaluation of PyTorch's formulas.
import { describe, expect, it } from "vitest";
import {
  bicubicAntialiasMatrix,
  bicubicMatrix,
  inverseScale,
  needsResize,
  resizeMatrix,
} from "../../src/lower/backbone/interpolation.js";

// Independent reference: one output pixel at a time, 4×4 taps for the plain kernel, the full support window for
// the antialiased one (ATen's loop structure rather than separable matrices).
function keys(x: number, a: number): number {
  x = Math.abs(x);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}

function plainTaps(m: number, g: number, offset: number, i: number): [number, number][] {
  const sigma = offset !== 0 ? m / (g + offset) : m / g;
  const u = (i + 0.5) * sigma - 0.5;
  const i0 = Math.floor(u);
  const t = u - i0;
  return [-1, 0, 1, 2].map((k) => [Math.min(Math.max(i0 + k, 0), m - 1), keys(t - k, -0.75)]);
}

function aaTaps(m: number, g: number, i: number): [number, number][] {
  const sigma = m / g;
  const support = sigma >= 1 ? 2 * sigma : 2;
  const center = sigma * (i + 0.5);
  const taps: [number, number][] = [];
  for (
    let j = Math.max(Math.trunc(center - support + 0.5), 0);
    j < Math.min(Math.trunc(center + support + 0.5), m);
    j++
  )
    taps.push([j, keys((j - center + 0.5) / Math.max(sigma, 1), -0.5)]);
  const total = taps.reduce((s, [, w]) => s + w, 0);
  return taps.map(([j, w]) => [j, w / total]);
}

function direct2d(
  grid: Float64Array,
  m: number,
  gh: number,
  gw: number,
  taps: (g: number, i: number) => [number, number][],
): Float64Array {
  const out = new Float64Array(gh * gw);
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      let s = 0;
      for (const [r, wr] of taps(gh, y)) for (const [c, wc] of taps(gw, x)) s += wr * wc * grid[r * m + c]!;
      out[y * gw + x] = s;
    }
  return out;
}

function viaMatrices(
  grid: Float64Array,
  m: number,
  wy: Float64Array,
  wx: Float64Array,
  gh: number,
  gw: number,
): Float64Array {
  const out = new Float64Array(gh * gw);
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      let s = 0;
      for (let r = 0; r < m; r++)
        for (let c = 0; c < m; c++) s += wy[y * m + r]! * wx[x * m + c]! * grid[r * m + c]!;
      out[y * gw + x] = s;
    }
  return out;
}

function randomGrid(m: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from(
    { length: m * m },
    () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1,
  );
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const CASES: [m: number, gh: number, gw: number][] = [
  [37, 16, 16], // DINOv2 hub at 224 (downsampling)
  [16, 37, 37], // upsampling
  [16, 7, 9], // non-square grid
  [5, 5, 5],
  [4, 11, 3],
];

describe("bicubic position-embedding resize", () => {
  for (const [m, gh, gw] of CASES)
    for (const offset of [0.1, 0]) {
      it(`plain, M=${m} → ${gh}×${gw}, offset ${offset}`, () => {
        const grid = randomGrid(m, m * 31 + gh);
        const got = viaMatrices(grid, m, bicubicMatrix(m, gh, offset), bicubicMatrix(m, gw, offset), gh, gw);
        const want = direct2d(grid, m, gh, gw, (g, i) => plainTaps(m, g, offset, i));
        // the matrices round σ and the source index to float32 as ATen does; the reference stays in float64
        expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
      });
    }
  for (const [m, gh, gw] of CASES)
    it(`antialiased, M=${m} → ${gh}×${gw}`, () => {
      const grid = randomGrid(m, m * 17 + gw);
      const got = viaMatrices(
        grid,
        m,
        bicubicAntialiasMatrix(m, gh, 0),
        bicubicAntialiasMatrix(m, gw, 0),
        gh,
        gw,
      );
      const want = direct2d(grid, m, gh, gw, (g, i) => aaTaps(m, g, i));
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
    });

  it("uses the scale factor, not the size, when the offset is set (σ = 37/16.1)", () => {
    expect(inverseScale(37, 16, 0.1)).toBeCloseTo(37 / 16.1, 6);
    expect(inverseScale(37, 16, 0)).toBeCloseTo(37 / 16, 6);
    expect(maxAbsDiff(bicubicMatrix(37, 16, 0.1), bicubicMatrix(37, 16, 0))).toBeGreaterThan(1e-3);
  });

  it("rows sum to one (a constant grid stays constant)", () => {
    const cases: [Float64Array, number][] = [
      [bicubicMatrix(37, 16, 0.1), 37],
      [bicubicAntialiasMatrix(37, 16, 0), 37],
      [bicubicMatrix(16, 37, 0.1), 16],
      [bicubicAntialiasMatrix(16, 37, 0), 16],
    ];
    for (const [w, m] of cases)
      for (let i = 0; i < w.length / m; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += w[i * m + j]!;
        expect(s).toBeCloseTo(1, 6);
      }
  });

  it("is the identity at g = M without an offset, but not with one (so DINOv2 skips it)", () => {
    for (const w of [bicubicMatrix(16, 16, 0), bicubicAntialiasMatrix(16, 16, 0)])
      for (let i = 0; i < 16; i++)
        for (let j = 0; j < 16; j++) expect(w[i * 16 + j]).toBeCloseTo(i === j ? 1 : 0, 6);
    expect(Math.abs(bicubicMatrix(16, 16, 0.1)[0]! - 1)).toBeGreaterThan(1e-4);
    expect(needsResize(16, 16, 16)).toBe(false);
    expect(needsResize(16, 16, 15)).toBe(true);
  });

  it("antialiasing differs from the plain kernel when downsampling", () => {
    const rule = { interpolate: "bicubic_antialias", offset: 0 } as const;
    expect(maxAbsDiff(resizeMatrix(rule, 37, 16), bicubicMatrix(37, 16, 0))).toBeGreaterThan(1e-3);
  });
});
