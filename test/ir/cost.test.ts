// Parameter counts against the reference tables (§1.1 backbones, §2.2 heads), to the stated precision.
import { describe, expect, test } from "vitest";
import { checkSpec } from "../../src/lower/check-spec.js";
import { backboneParams } from "../../src/ir/cost.js";
import { costs } from "../../src/lower/cost.js";
import { headParams } from "../../src/lower/heads/cost.js";
import type { ModelIR } from "../../src/ir/model.js";

function models(file: string): Map<string, ModelIR> {
  const r = checkSpec(file);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return new Map(r.models.map((m) => [m.name, m]));
}

const dinov2 = models("specs/dinov2.vfm");
const franca = models("specs/franca.vfm");
const get = (ms: Map<string, ModelIR>, name: string): ModelIR => {
  const m = ms.get(name);
  if (!m) throw new Error(`no model ${name}`);
  return m;
};
/** millions, rounded to two decimals as the reference prints them */
const mega = (n: number) => Math.round(n / 1e4) / 100;
const withGrid = (m: ModelIR, posGrid: number): ModelIR => ({ ...m, backbone: { ...m.backbone, posGrid } });

describe("backbone parameters (§1.1 table)", () => {
  test.each([
    ["dinov2_vits14", 22.06],
    ["dinov2_vitb14", 86.58],
    ["dinov2_vitl14", 304.37],
    ["dinov2_vitg14", 1136.48],
  ])("%s = %f M", (name, expected) => {
    expect(mega(backboneParams(get(dinov2, name)))).toBe(expected);
  });

  test("ViT-S/14 with a 16x16 grid = 21.63 M", () => {
    expect(mega(backboneParams(withGrid(get(dinov2, "dinov2_vits14"), 16)))).toBe(21.63);
  });

  test.each([
    ["franca_vitb14", 37, 86.59],
    ["franca_vitb14", 16, 85.74],
    ["franca_vitl14", 37, 304.79],
    ["franca_vitl14", 16, 303.66],
    ["franca_vitg14", 16, 1134.77],
  ])("%s with grid %i = %f M", (name, grid, expected) => {
    expect(mega(backboneParams(withGrid(get(franca, name), grid)))).toBe(expected);
  });

  test("tensor shapes behind the count: SwiGLU hidden 2048 / 2736 / 4096 (§1.1)", () => {
    expect(get(franca, "franca_vitb14").backbone.ffnHidden).toBe(2048);
    expect(get(franca, "franca_vitl14").backbone.ffnHidden).toBe(2736);
    expect(get(franca, "franca_vitg14").backbone.ffnHidden).toBe(4096);
  });
});

describe("head parameters (§2.2)", () => {
  // F+ projection Linear(d→d) on the first d channels; one decimal as in the reference
  test.each([
    ["franca_vitb14", 126.5],
    ["franca_vitl14", 128.2],
    ["franca_vitg14", 131.9],
  ])("%s MRL DINO head = %f M (F+)", (name, expected) => {
    const m = get(franca, name);
    expect(Math.round(headParams(m.heads.dino, m.backbone.dim) / 1e5) / 10).toBe(expected);
  });

  test("Matryoshka levels and prototypes: 8192 … 131072, 253,952 in total", () => {
    const m = get(franca, "franca_vitl14");
    expect(m.heads.dino.levels.map((l) => l.width)).toEqual([64, 128, 256, 512, 1024]);
    expect(m.heads.dino.levels.map((l) => l.prototypes)).toEqual([8192, 16384, 32768, 65536, 131072]);
    expect(m.heads.dino.levels.reduce((s, l) => s + l.prototypes, 0)).toBe(253952);
  });

  test("one DINOv2 head (bot 384, K 131072) is 57.0–58.6 M for the B/L/g widths", () => {
    const round1 = (m: ModelIR) => Math.round(headParams(m.heads.dino, m.backbone.dim) / 1e5) / 10;
    expect(round1(get(dinov2, "dinov2_vitb14"))).toBe(57.0);
    expect(round1(get(dinov2, "dinov2_vitg14"))).toBe(58.6);
    for (const name of ["dinov2_vitb14", "dinov2_vitl14", "dinov2_vitg14"]) {
      const m = get(dinov2, name);
      const n = headParams(m.heads.dino, m.backbone.dim) / 1e6;
      expect(n).toBeGreaterThanOrEqual(57.0);
      expect(n).toBeLessThanOrEqual(58.6);
    }
  });

  test("totals add the separate iBOT head; a shared head adds nothing", () => {
    const m = get(dinov2, "dinov2_vitl14");
    const c = costs(m);
    const module = (x: ModelIR, name: string) =>
      costs(x).params.modules.find((h) => h.module === name)!.params;
    expect(module(m, "ibot_head")).toBe(headParams(m.heads.ibot!, 1024));
    expect(c.params.total).toBe(c.params.backbone + module(m, "dino_head") + module(m, "ibot_head"));
    const shared: ModelIR = { ...m, heads: { ...m.heads, ibot: { ...m.heads.dino, separate: false } } };
    expect(module(shared, "ibot_head")).toBe(0);
  });
});

describe("FLOPs", () => {
  test("inference FLOPs of ViT-B/14 at 224 px: matmuls of 257 tokens", () => {
    const m = get(dinov2, "dinov2_vitb14");
    const T = 257;
    const D = 768;
    const perBlock = 2 * T * D * 3 * D + 4 * T * T * D + 2 * T * D * D + 2 * T * 2 * D * 3072;
    expect(costs(m).flops.inferPerImage).toBe(2 * 256 * D * 3 * 14 * 14 + 12 * perBlock);
    // about 2 × 86 M × 257 ≈ 44 GFLOPs, the usual "22 GMACs" of a ViT-B/14 at 224
    expect(costs(m).flops.inferPerImage / 1e9).toBeCloseTo(46.4, 0);
  });

  test("a training step grows with the batch, the local crops and the heads", () => {
    const m = get(dinov2, "dinov2_vitl14");
    const base = costs(m).flops.trainPerStep;
    // not exactly 2×: the number of masked tokens is rounded per batch
    expect(costs({ ...m, train: { ...m.train, batch: 64 } }).flops.trainPerStep / base).toBeCloseTo(2, 4);
    expect(
      costs({ ...m, crops: { ...m.crops, local: { ...m.crops.local, count: 0 } } }).flops.trainPerStep,
    ).toBeLessThan(base);
  });
});
