// High-resolution adaptation (reference §9) from a Franca-layout checkpoint: pos_embed resized 4×4 → 6×6 with
// antialiased bicubic must equal torch's F.interpolate(size, antialias=True) as modify_ckpt_highres.py calls it,
// the backbone must come from the teacher, the heads fresh, and the resulting model at 24 px must reproduce the
// reference forward at that resolution.
import { describe, expect, it } from "vitest";
import { DiagnosticBag, DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { backboneParamSpecs } from "../../src/lower/backbone/params.js";
import { modelHeadSpecs } from "../../src/lower/objectives/index.js";
import { hrftInit, hrftModel, resizePosEmbedData } from "../../src/lower/hrft.js";
import { initTensor } from "../../src/lower/init.js";
import type { WeightTensor } from "../../src/lower/weights.js";
import { haveReleased, inferWith, releasedCase, relErr } from "./released-fixtures.js";
import { thrownBy } from "../harness/thrown.js";
import { requires } from "../harness/requires.js";

const caught = (f: () => unknown): DiagnosticError => thrownBy(DiagnosticError, f);

describe("hrftModel", () => {
  it("moves global crops, the position grid and the export to the new resolution", async () => {
    const { ir } = await releasedCase("franca_v1");
    const hi = hrftModel(ir, 24);
    expect(hi.backbone.posGrid).toBe(6);
    expect(hi.crops.global.size).toBe(24);
    expect(hi.crops.local.size).toBe(ir.crops.local.size);
    expect(hi.export.resolution).toBe(24);
    expect(ir.backbone.posGrid).toBe(4); // the input IR is untouched
    expect(caught(() => hrftModel(ir, 26)).diagnostics.map((d) => d.code)).toEqual(["VFM4014"]);
    expect(caught(() => hrftModel(ir, 0)).diagnostics[0]!.hint).toContain("use 4");
  });
});

describe("resizePosEmbedData", () => {
  it("keeps the CLS row and is the identity at the same grid", () => {
    const pe = Float32Array.from({ length: (1 + 9) * 2 }, (_, i) => Math.sin(i));
    const same = resizePosEmbedData(pe, 3, 3, 2);
    for (let i = 0; i < pe.length; i++) expect(same[i]).toBeCloseTo(pe[i]!, 6);
    const up = resizePosEmbedData(pe, 3, 5, 2);
    expect(up.length).toBe((1 + 25) * 2);
    expect([...up.subarray(0, 2)]).toEqual([...pe.subarray(0, 2)]);
  });
});

requires(haveReleased(), "the released-layout fixtures (test/reference/released_layouts.py)").describe(
  "HRFT from a Franca v1.0 checkpoint (4×4 grid → 24 px, 6×6)",
  () => {
    it("resizes pos_embed exactly as torch's antialiased bicubic", async () => {
      const { ir, checkpoint, expected } = await releasedCase("franca_v1");
      const bag = new DiagnosticBag();
      const init = hrftInit(hrftModel(ir, 24), checkpoint, "franca.safetensors", bag);
      expect(bag.items.map((d) => d.code)).toEqual(["VFM4013"]);
      expect([init.sourceGrid, init.targetGrid]).toEqual([4, 6]);
      expect(relErr(init.initial("pos_embed")!, expected.get("output.hrft.pos_embed")!)).toBeLessThan(1e-6);
      expect(init.initial("teacher.pos_embed")).toBe(init.initial("pos_embed"));
    });

    it("takes the backbone from the teacher and starts the heads fresh", async () => {
      const { ir, checkpoint } = await releasedCase("franca_v1");
      const hi = hrftModel(ir, 24);
      const init = hrftInit(hi, checkpoint, "franca.safetensors", new DiagnosticBag());
      const qkv = checkpoint.get("teacher.backbone.blocks.1.1.attn.qkv.weight")!.data as Float32Array;
      expect(init.initial("blocks.1.attn.qkv.weight")).toEqual(qkv);
      expect(init.initial("teacher.blocks.1.attn.qkv.weight")).toEqual(qkv);
      expect(init.initial("mask_token")).toEqual(checkpoint.get("teacher.backbone.mask_token")!.data);
      const heads = modelHeadSpecs(hi);
      expect(heads.length).toBeGreaterThan(0);
      expect(init.fresh).toEqual(heads.map((s) => s.name));
      for (const s of heads) {
        const v = init.initial(s.name)!;
        expect(v, s.name).toEqual(initTensor(s, hi.train.seed));
        expect(init.initial(`teacher.${s.name}`), s.name).toEqual(v);
        const inCkpt = checkpoint.get(`teacher.${s.name}`);
        if (inCkpt && inCkpt.data.length === v.length) expect(v, s.name).not.toEqual(inCkpt.data);
      }
      // every parameter the trainer declares has a value of the right size
      for (const s of [...backboneParamSpecs(hi.backbone, { channels: 3 }), ...heads])
        expect(init.initial(s.name)?.length, s.name).toBe(s.shape.reduce((a, b) => a * b, 1));
      expect(init.initial("no_such.weight")).toBeUndefined();
    });

    it("gives a model whose forward at 24 px equals the reference's", async () => {
      const { ir, checkpoint, expected } = await releasedCase("franca_v1");
      const hi = hrftModel(ir, 24);
      const init = hrftInit(hi, checkpoint, "franca.safetensors", new DiagnosticBag());
      const weights = new Map<string, WeightTensor>(
        backboneParamSpecs(hi.backbone, { channels: 3 }).map((s) => [
          s.name,
          { dtype: "F32", shape: s.shape, data: init.initial(s.name)! },
        ]),
      );
      const { outputs, codes } = await inferWith(
        { ...hi, export: { ...hi.export, outputs: ["cls", "patch_tokens"] } },
        weights,
        expected.get("input.hrft.pixel_values")!,
      );
      expect(codes).toEqual([]);
      expect(relErr(outputs.cls!, expected.get("output.hrft.cls")!)).toBeLessThan(1e-5);
      expect(relErr(outputs.patch_tokens!, expected.get("output.hrft.patch_tokens")!)).toBeLessThan(1e-5);
    });

    it("starts from vfmc's own training checkpoint too (student/teacher, optimiser moments, step)", async () => {
      const { ir, checkpoint, expected } = await releasedCase("franca_v1");
      const own = new Map<string, WeightTensor>();
      for (const [k, t] of checkpoint) {
        if (!k.startsWith("teacher.backbone.")) continue;
        const bare = k.slice("teacher.backbone.".length).replace(/^blocks\.\d+\.(\d+)\./, "blocks.$1.");
        own.set(`teacher.backbone.${bare}`, t);
        const zeros = { dtype: "F32", shape: t.shape, data: new Float32Array(t.data.length) };
        own.set(`student.backbone.${bare}`, zeros);
        own.set(`optimizer.exp_avg.${bare}`, zeros);
      }
      own.set("step", { dtype: "I64", shape: [1], data: new BigInt64Array([7n]) });
      const bag = new DiagnosticBag();
      const init = hrftInit(hrftModel(ir, 24), own, "runs/x/checkpoint.safetensors", bag);
      expect(bag.items.map((d) => d.code)).toEqual(["VFM4013"]); // no VFM4005 for the optimiser state
      expect(relErr(init.initial("pos_embed")!, expected.get("output.hrft.pos_embed")!)).toBeLessThan(1e-6);
    });

    it("lists every missing or mis-shaped backbone tensor", async () => {
      const { ir, checkpoint } = await releasedCase("franca_v1");
      const broken = new Map(checkpoint);
      broken.delete("teacher.backbone.norm.bias");
      broken.set("teacher.backbone.blocks.0.0.attn.qkv.weight", {
        dtype: "F32",
        shape: [8, 16],
        data: new Float32Array(128),
      });
      const e = caught(() => hrftInit(hrftModel(ir, 24), broken, "f.safetensors", new DiagnosticBag()));
      expect(e.diagnostics.map((d) => d.code).sort()).toEqual(["VFM4001", "VFM4002", "VFM4013"]);
    });
  },
);
