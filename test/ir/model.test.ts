// The pure helpers of the IR: schedules (§7.1 CosineScheduler), SwiGLU width (§1.1), Matryoshka levels (§2.2).
import { describe, expect, test } from "vitest";
import { lrScale, nestedLevels, scheduleValue, swigluHidden, type Schedule } from "../../src/ir/model.js";

/** DINOv2's CosineScheduler as a table, built the way §7.1 describes it (arrays concatenated, then indexed). */
function cosineTable(base: number, final: number, total: number, warmup: number): number[] {
  const warm = Array.from({ length: warmup }, (_, i) => (warmup === 1 ? 0 : (base * i) / (warmup - 1)));
  const n = total - warmup;
  const cos = Array.from(
    { length: n },
    (_, j) => final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * j) / n)),
  );
  return [...warm, ...cos];
}
const at = (table: number[], step: number, final: number) => (step >= table.length ? final : table[step]!);

describe("scheduleValue matches CosineScheduler (§7.1)", () => {
  const lr: Schedule = { shape: "cosine", from: 2e-4, to: 1e-6, warmupSteps: 100, overSteps: 1000 };
  const table = cosineTable(2e-4, 1e-6, 1000, 100);

  test.each([0, 1, 50, 99, 100, 101, 500, 998, 999, 1000, 5000])("lr at step %i", (step) => {
    expect(scheduleValue(lr, step)).toBeCloseTo(at(table, step, 1e-6), 15);
  });

  test("warmup is an inclusive linspace from 0: it reaches the base value on its last step", () => {
    expect(scheduleValue(lr, 0)).toBe(0);
    expect(scheduleValue(lr, 99)).toBeCloseTo(2e-4, 15);
  });

  test("the cosine never quite reaches the final value before T (§12 item 23)", () => {
    expect(scheduleValue(lr, 999)).toBeGreaterThan(1e-6);
    expect(scheduleValue(lr, 1000)).toBe(1e-6);
  });

  test("teacher momentum: cosine 0.994 → 1.0 over all steps, no warmup", () => {
    const m: Schedule = { shape: "cosine", from: 0.994, to: 1, warmupSteps: 0, overSteps: 625000 };
    expect(scheduleValue(m, 0)).toBe(0.994);
    expect(scheduleValue(m, 312500)).toBeCloseTo(0.997, 12);
  });

  test("teacher temperature: linspace(0.04, 0.07, 37500) then constant 0.07", () => {
    const t: Schedule = { shape: "linear", from: 0.04, to: 0.07, warmupSteps: 0, overSteps: 37500 };
    expect(scheduleValue(t, 0)).toBe(0.04);
    expect(scheduleValue(t, 37499)).toBeCloseTo(0.07, 15);
    expect(scheduleValue(t, 18749)).toBeCloseTo(0.04 + (0.03 * 18749) / 37499, 15);
    expect(scheduleValue(t, 37500)).toBe(0.07);
    expect(scheduleValue(t, 10 ** 6)).toBe(0.07);
  });

  test("constant ignores `to`", () => {
    expect(scheduleValue({ shape: "constant", from: 0.1, to: 9, warmupSteps: 0, overSteps: 10 }, 20)).toBe(
      0.1,
    );
  });
});

describe("derived sizes", () => {
  test.each([
    [384, 1024],
    [768, 2048],
    [1024, 2736],
    [1536, 4096],
  ])("SwiGLU hidden of D=%i is %i (§1.1)", (dim, hidden) => {
    expect(swigluHidden(dim, 4)).toBe(hidden);
  });

  test("Matryoshka widths D/16 … D with int(K·d/D) prototypes (§2.2)", () => {
    expect(nestedLevels(768, 5, 131072)).toEqual([
      { width: 48, prototypes: 8192 },
      { width: 96, prototypes: 16384 },
      { width: 192, prototypes: 32768 },
      { width: 384, prototypes: 65536 },
      { width: 768, prototypes: 131072 },
    ]);
    expect(nestedLevels(768, 1, 65536)).toEqual([{ width: 768, prototypes: 65536 }]);
    expect(nestedLevels(64, 3, 100).map((l) => l.prototypes)).toEqual([25, 50, 100]);
  });

  test("lr scaling rules (§7.1): √(2048/1024)·7.01e-4 ≈ 9.9e-4", () => {
    expect(lrScale("sqrt_wrt_1024", 2048) * 7.01e-4).toBeCloseTo(9.91e-4, 6);
    expect(lrScale("linear_wrt_256", 512)).toBe(2);
    expect(lrScale("none", 4096)).toBe(1);
  });
});
