// The lowered inference graph, run in onnxruntime, against the plain TypeScript ViT of infer-vit-reference.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { checkSpec } from "../../src/lower/check-spec.js";
import type { Backbone, ModelIR } from "../../src/ir/model.js";
import { DiagnosticBag } from "../../src/diagnostics/diagnostic.js";
import { toOnnx } from "../../src/graph/emit.js";
import { InitStream, streamSeed } from "../../src/lower/init.js";
import { lowerInfer } from "../../src/lower/infer.js";
import { paramElements, type ParamSpec } from "../../src/lower/params.js";
import { runModel } from "../harness/ort.js";
import { checkOnnx } from "../harness/onnx-checker.js";
import { tinyBackbone } from "./backbone-tiny.js";
import { referenceVit } from "./infer-vit-reference.js";

let base: ModelIR;
beforeAll(() => {
  const r = checkSpec("examples/franca-tiny.vfm");
  base = r.models[0]!;
});

/** Weights large enough that every block matters (the §1.6 init makes blocks near-identities). */
function testWeights(spec: ParamSpec): Float32Array {
  const s = new InitStream(streamSeed(42, spec.name));
  const out = new Float32Array(paramElements(spec));
  const centre = /norm\d?\.weight$/.test(spec.name) ? 1 : 0;
  const scale = spec.name.endsWith("gamma") ? 0.5 : spec.shape.length === 1 ? 0.2 : 0.35;
  for (let i = 0; i < out.length; i++) out[i] = centre + (2 * s.uniform() - 1) * scale;
  return out;
}

function modelWith(bb: Backbone, resolution: number): ModelIR {
  return { ...base, backbone: bb, export: { resolution, outputs: ["cls", "patch_tokens", "registers"] } };
}

function pixels(n: number, c: number, size: number): Float32Array {
  const s = new InitStream(7);
  return Float32Array.from({ length: n * c * size * size }, () => s.uniform());
}

const CASES: [string, Partial<Backbone>, number][] = [
  ["mlp, grid = M (no resize)", { ffn: "mlp", posGrid: 4 }, 16],
  [
    "swiglu + registers, bicubic 37-style downsample",
    { ffn: "swiglu", ffnHidden: 48, registers: 2, posGrid: 6 },
    16,
  ],
  [
    "antialiased resize, upsample, no LayerScale, no qkv bias",
    { interpolate: "bicubic_antialias", interpolateOffset: 0, posGrid: 3, layerscale: 0, qkvBias: false },
    20,
  ],
];

describe("inference graph", () => {
  for (const [name, over, res] of CASES)
    it(`matches a plain TS ViT: ${name}`, async () => {
      const bb = tinyBackbone(over);
      const ir = modelWith(bb, res);
      const bag = new DiagnosticBag();
      const lowered = lowerInfer({ ir, backbone: bb, value: testWeights, bag });
      const model = toOnnx(lowered.graph, { opset: 17 });
      const n = 2;
      const px = pixels(n, 3, res);
      const out = await runModel(model, {
        pixel_values: { dtype: "float32", dims: [n, 3, res, res], data: px },
      });
      const params = new Map(lowered.params.map((s) => [s.name, testWeights(s)]));
      const ref = referenceVit(bb, params, px, n, res, ir.input.mean, ir.input.std);
      const g = res / bb.patch;
      expect(out.cls!.dims).toEqual([n, bb.dim]);
      expect(out.patch_tokens!.dims).toEqual([n, g * g, bb.dim]);
      let worst = 0;
      const cmp = (got: ArrayLike<number>, want: number[]): void => {
        want.forEach((w, i) => (worst = Math.max(worst, Math.abs(got[i]! - w) / (1 + Math.abs(w)))));
      };
      cmp(out.cls!.data as Float32Array, ref.cls.flat());
      cmp(out.patch_tokens!.data as Float32Array, ref.patches.flat(2));
      if (bb.registers > 0) {
        expect(out.registers!.dims).toEqual([n, bb.registers, bb.dim]);
        cmp(out.registers!.data as Float32Array, ref.registers.flat(2));
      } else expect(out.registers).toBeUndefined();
      expect(worst).toBeLessThan(1e-4);
      const check = checkOnnx(model);
      if (!check.skipped) expect(check.ok, check.message).toBe(true);
    });

  it("adds the RASA output when a folded matrix is given, and warns when it is asked for without one", async () => {
    const bb = tinyBackbone();
    const ir: ModelIR = {
      ...base,
      backbone: bb,
      export: { resolution: 16, outputs: ["patch_tokens", "patch_tokens_rasa"] },
    };
    const bag = new DiagnosticBag();
    expect(
      lowerInfer({ ir, backbone: bb, value: testWeights, bag }).graph.outputs.map((o) => o.name),
    ).toEqual(["patch_tokens"]);
    expect(bag.items.map((d) => d.code)).toEqual(["VFM4007"]);
    const rasa = new Float32Array(bb.dim * bb.dim);
    for (let i = 0; i < bb.dim; i++) rasa[i * bb.dim + i] = i % 2; // keep the odd channels
    const lowered = lowerInfer({ ir, backbone: bb, value: testWeights, rasa, bag: new DiagnosticBag() });
    const px = pixels(1, 3, 16);
    const out = await runModel(toOnnx(lowered.graph), {
      pixel_values: { dtype: "float32", dims: [1, 3, 16, 16], data: px },
    });
    const p = out.patch_tokens!.data as Float32Array;
    const r = out.patch_tokens_rasa!.data as Float32Array;
    for (let i = 0; i < p.length; i++) expect(r[i]).toBeCloseTo(i % 2 ? p[i]! : 0, 5);
  });

  it("rejects an export resolution that is not a multiple of the patch", () => {
    const bb = tinyBackbone();
    expect(() =>
      lowerInfer({ ir: modelWith(bb, 18), backbone: bb, value: testWeights, bag: new DiagnosticBag() }),
    ).toThrow(/VFM4009/);
  });
});
