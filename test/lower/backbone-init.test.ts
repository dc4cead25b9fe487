// Parameter records (§1.3 shapes, §7.2 groups) and the seeded initialiser (§1.6).
import { describe, expect, it } from "vitest";
import { backboneParamSpecs } from "../../src/lower/backbone/params.js";
import { initParams, initTensor } from "../../src/lower/init.js";
import { paramElements } from "../../src/lower/params.js";
import { tinyBackbone } from "./backbone-tiny.js";

function stats(x: Float32Array): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
    m = Math.max(m, Math.abs(v));
  }
  const mean = s / x.length;
  return { mean, std: Math.sqrt(s2 / x.length - mean * mean), maxAbs: m };
}

describe("backbone parameters", () => {
  it("has 7 + 14·L tensors with LayerScale (+1 with registers), as DINOv2 checkpoints do (§1.1)", () => {
    expect(backboneParamSpecs(tinyBackbone({ depth: 3 }))).toHaveLength(7 + 14 * 3);
    expect(backboneParamSpecs(tinyBackbone({ depth: 3, registers: 4 }))).toHaveLength(8 + 14 * 3);
    expect(backboneParamSpecs(tinyBackbone({ depth: 3, layerscale: 0 }))).toHaveLength(7 + 12 * 3);
  });

  it("matches the ViT-g/14 parameter count of the reference (1,136.48 M with a 37 grid)", () => {
    const g = tinyBackbone({
      patch: 14,
      dim: 1536,
      depth: 40,
      heads: 24,
      ffn: "swiglu",
      ffnHidden: 4096,
      posGrid: 37,
    });
    const n = backboneParamSpecs(g).reduce((a, p) => a + paramElements(p), 0);
    expect(n / 1e6).toBeCloseTo(1136.48, 1);
  });

  it("applies the §7.2 decay rule and lr multipliers", () => {
    const specs = backboneParamSpecs(tinyBackbone({ depth: 2 }), {
      optim: { layerDecay: 0.5, patchEmbedLr: 0.2 },
    });
    const by = new Map(specs.map((s) => [s.name, s]));
    expect(by.get("pos_embed")!.decay).toBe(true);
    expect(by.get("blocks.0.norm1.weight")!.decay).toBe(false);
    expect(by.get("blocks.0.ls1.gamma")!.decay).toBe(false);
    expect(by.get("blocks.0.attn.qkv.bias")!.decay).toBe(false);
    expect(by.get("blocks.0.attn.qkv.weight")!.decay).toBe(true);
    expect(by.get("cls_token")!.lrMultiplier).toBeCloseTo(0.5 ** 3);
    expect(by.get("patch_embed.proj.weight")!.lrMultiplier).toBeCloseTo(0.5 ** 3 * 0.2);
    expect(by.get("blocks.1.mlp.fc1.weight")!.lrMultiplier).toBeCloseTo(0.5);
    expect(by.get("norm.weight")!.lrMultiplier).toBe(1);
  });

  it("initialises deterministically, per tensor, with the §1.6 laws", () => {
    const specs = backboneParamSpecs(tinyBackbone({ dim: 64, heads: 4 }));
    const a = initParams(specs, 7);
    const b = initParams(specs.slice().reverse(), 7);
    const c = initParams(specs, 8);
    expect(a.get("blocks.1.attn.qkv.weight")).toEqual(b.get("blocks.1.attn.qkv.weight"));
    expect(a.get("blocks.1.attn.qkv.weight")).not.toEqual(c.get("blocks.1.attn.qkv.weight"));
    const qkv = stats(a.get("blocks.1.attn.qkv.weight")!);
    expect(qkv.std).toBeGreaterThan(0.018);
    expect(qkv.std).toBeLessThan(0.022);
    expect(Math.abs(qkv.mean)).toBeLessThan(0.002);
    expect(stats(a.get("cls_token")!).maxAbs).toBeLessThan(1e-5);
    expect(stats(a.get("mask_token")!).maxAbs).toBe(0);
    expect(a.get("blocks.0.ls1.gamma")!.every((v) => v === Math.fround(1e-5))).toBe(true);
    expect(a.get("norm.weight")!.every((v) => v === 1)).toBe(true);
    const conv = stats(a.get("patch_embed.proj.weight")!);
    expect(conv.maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(3 * 16));
    expect(conv.std).toBeCloseTo(1 / Math.sqrt(3 * 16) / Math.sqrt(3), 2);
  });

  it("starts the teacher as a copy of the student", () => {
    const [s] = backboneParamSpecs(tinyBackbone()).filter((p) => p.name === "pos_embed");
    const [t] = backboneParamSpecs(tinyBackbone(), { prefix: "teacher." }).filter(
      (p) => p.name === "teacher.pos_embed",
    );
    expect(initTensor(t!, 3)).toEqual(initTensor(s!, 3));
  });
});
