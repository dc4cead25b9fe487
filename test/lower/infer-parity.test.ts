// Parity with the independent PyTorch reference (test/reference, fixtures in test/fixtures/torch): the lowered
// backbone, fed the fixture's weights through weights.ts, must reproduce cls / patch_tokens / registers / prenorm,
// and the resize matrices must equal the reference's. Tolerance: max |ours − golden| / max |golden| ≤ 1e-5 per
// tensor (measured ~4e-7, the size of the reference's own float32-vs-float64 gap).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticBag } from "../../src/diagnostics/diagnostic.js";
import { toOnnx } from "../../src/graph/emit.js";
import { GraphBuilder } from "../../src/graph/builder.js";
import type { Backbone } from "../../src/ir/model.js";
import { resizeMatrix } from "../../src/lower/backbone/interpolation.js";
import { backboneParamSpecs } from "../../src/lower/backbone/params.js";
import { backboneParams, vitForward } from "../../src/lower/backbone/vit.js";
import { normalisePixels } from "../../src/lower/backbone/normalise.js";
import { bindWeights, normaliseCheckpoint } from "../../src/lower/weights.js";
import { readSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import { runModel, type HostTensor } from "../harness/ort.js";
import { relErr } from "./released-fixtures.js";
import { requires } from "../harness/requires.js";

const DIR = process.env.VFMC_TORCH_FIXTURES ?? "test/fixtures/torch";
const TOL = 1e-5;

interface VitFixture {
  config: {
    input: { height: number; width: number; channels: number; mean: number[]; std: number[]; batch: number };
    backbone: Record<string, number | string | boolean>;
  };
  tensors: Record<string, { shape: number[] }>;
}

function backboneOf(c: Record<string, number | string | boolean>): Backbone {
  return {
    kind: "vit",
    patch: c.patch as number,
    dim: c.dim as number,
    depth: c.depth as number,
    heads: c.heads as number,
    headDim: (c.dim as number) / (c.heads as number),
    mlpRatio: c.mlp_ratio as number,
    ffn: c.ffn as "mlp" | "swiglu",
    ffnHidden: c.ffn_hidden as number,
    qkvBias: c.qkv_bias as boolean,
    registers: c.registers as number,
    layerscale: c.layerscale as number,
    dropPath: 0,
    posGrid: c.pos_grid as number,
    interpolate: c.interpolate as "bicubic" | "bicubic_antialias",
    interpolateOffset: c.interpolate_offset as number,
    posEmbed: "learned",
    init: "dinov2",
  };
}

const VIT_CASES = ["vit_mlp", "vit_swiglu_reg", "vit_interp", "vit_interp_aa", "vit_interp_nonsquare"];
const have = (c: string): boolean => existsSync(join(DIR, `${c}.json`));

requires(have("vit_mlp"), "fixture vit_mlp").describe(
  `backbone parity with the PyTorch reference (${DIR})`,
  () => {
    for (const name of VIT_CASES)
      requires(have(name), `fixture ${name}`).it(name, async () => {
        const fx = JSON.parse(readFileSync(join(DIR, `${name}.json`), "utf8")) as VitFixture;
        const { tensors } = await readSafetensors(join(DIR, `${name}.safetensors`));
        const bb = backboneOf(fx.config.backbone);
        const inp = fx.config.input;
        const bag = new DiagnosticBag();
        const ckpt = new Map([...tensors].filter(([k]) => !/^(input|output)\./.test(k)));
        const weights = bindWeights(backboneParamSpecs(bb), normaliseCheckpoint(ckpt), name, bag).params;
        expect(bag.items).toEqual([]);

        const g = new GraphBuilder(name);
        const pixels = g.input("pixel_values", "float32", ["N", inp.channels, inp.height, inp.width]);
        const masks = tensors.has("input.masks")
          ? g.input("masks", "bool", ["N", (inp.height / bb.patch) * (inp.width / bb.patch)])
          : undefined;
        const { params } = backboneParams(bb, (s) => g.param(s.name, s.shape, weights.get(s.name)!), {
          maskToken: masks !== undefined,
        });
        const x = normalisePixels(g, pixels, inp.mean, inp.std);
        const o = vitForward(g, bb, params, x);
        g.output("cls", o.cls);
        g.output("patch_tokens", o.patchTokens);
        g.output("prenorm", o.prenorm);
        if (o.registers) g.output("registers", o.registers);
        if (masks) {
          const m = vitForward(g, bb, params, x, { masks });
          g.output("masked.cls", m.cls);
          g.output("masked.patch_tokens", m.patchTokens);
        }
        const px = tensors.get("input.pixel_values")!;
        const feeds: Record<string, HostTensor> = {
          pixel_values: { dtype: "float32", dims: px.shape, data: px.data as Float32Array },
        };
        if (masks) {
          const mk = tensors.get("input.masks")!;
          feeds.masks = { dtype: "bool", dims: mk.shape, data: mk.data as Uint8Array };
        }
        const out = await runModel(toOnnx(g), feeds);
        const errs: Record<string, number> = {};
        for (const k of Object.keys(out)) {
          const want = tensors.get(`output.${k}`);
          if (want) errs[k] = relErr(out[k]!.data as Float32Array, want);
        }
        expect(Object.keys(errs)).toContain("cls");
        expect(Object.keys(errs)).toContain("patch_tokens");
        if (bb.registers > 0) expect(Object.keys(errs)).toContain("registers");
        if (process.env.VFMC_PARITY_LOG) console.log(name, errs);
        for (const [k, e] of Object.entries(errs)) expect(e, k).toBeLessThan(TOL);
      });

    requires(have("interp_matrices"), "fixture interp_matrices").it(
      "resize matrices equal the reference's",
      async () => {
        const fx = JSON.parse(readFileSync(join(DIR, "interp_matrices.json"), "utf8")) as {
          config: { matrices: { name: string; M: number; g: number; offset: number; antialias: boolean }[] };
        };
        const { tensors } = await readSafetensors(join(DIR, "interp_matrices.safetensors"));
        expect(fx.config.matrices.length).toBeGreaterThan(5);
        for (const m of fx.config.matrices) {
          const ours = resizeMatrix(
            { interpolate: m.antialias ? "bicubic_antialias" : "bicubic", offset: m.offset },
            m.M,
            m.g,
          );
          const theirs = tensors.get(m.name)!.data as Float64Array | Float32Array;
          expect(ours.length, m.name).toBe(theirs.length);
          let err = 0;
          for (let i = 0; i < ours.length; i++) err = Math.max(err, Math.abs(ours[i]! - theirs[i]!));
          // the reference derives σ in float64; ATen (and vfmc) round it to float32 first
          expect(err, m.name).toBeLessThan(1e-5);
        }
      },
    );
  },
);
