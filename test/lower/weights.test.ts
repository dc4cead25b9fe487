// Checkpoint key surgery, shape checks and diagnostics (reference §1.3 layout variants, §12.8).
import { describe, expect, it } from "vitest";
import { DiagnosticBag, DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { backboneParamSpecs } from "../../src/lower/backbone/params.js";
import {
  bindWeights,
  canonicalKey,
  normaliseCheckpoint,
  rasaWeights,
  withCheckpointGrid,
  type WeightTensor,
} from "../../src/lower/weights.js";
import { tinyBackbone } from "./backbone-tiny.js";
import { thrownBy } from "../harness/thrown.js";

const f32 = (shape: number[], fill = 0.5): WeightTensor => ({
  dtype: "F32",
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill),
});

function checkpointFor(
  specs: ReturnType<typeof backboneParamSpecs>,
  key: (name: string) => string,
): Map<string, WeightTensor> {
  return new Map(specs.map((s) => [key(s.name), f32([...s.shape])]));
}

const caught = (f: () => unknown): DiagnosticError => thrownBy(DiagnosticError, f);

describe("checkpoint key surgery", () => {
  it("strips module./backbone./teacher. in any order and flattens chunked blocks", () => {
    expect(canonicalKey("module.backbone.blocks.1.6.attn.qkv.weight")).toBe("blocks.6.attn.qkv.weight");
    expect(canonicalKey("teacher.backbone.pos_embed")).toBe("pos_embed");
    expect(canonicalKey("backbone.module.norm.weight")).toBe("norm.weight");
    expect(canonicalKey("blocks.3.norm1.bias")).toBe("blocks.3.norm1.bias");
    expect(canonicalKey("teacher.dino_head.mlp.0.weight")).toBe("dino_head.mlp.0.weight");
  });

  it("prefers the teacher over the student in a training checkpoint", () => {
    const t = normaliseCheckpoint(
      new Map([
        ["student.backbone.norm.weight", f32([4], 1)],
        ["teacher.backbone.norm.weight", f32([4], 2)],
      ]),
    );
    expect([...t.keys()]).toEqual(["norm.weight"]);
    expect(t.get("norm.weight")!.data[0]).toBe(2);
  });

  it("binds a Franca-style chunked teacher checkpoint to every declared parameter", () => {
    const bb = tinyBackbone({ ffn: "swiglu" });
    const specs = backboneParamSpecs(bb);
    const raw = checkpointFor(
      specs,
      (n) => `teacher.backbone.${n.replace(/^blocks\.(\d+)\./, (_, i) => `blocks.${Number(i) >> 1}.${i}.`)}`,
    );
    raw.set("teacher.dino_head.last_layer.weight_g", f32([1, 8]));
    const bag = new DiagnosticBag();
    const { params, unused } = bindWeights(specs, normaliseCheckpoint(raw), "ck.safetensors", bag);
    expect(params.size).toBe(specs.length);
    expect(unused).toEqual([]);
    expect(bag.items).toEqual([]);
  });

  it("reports every missing and mis-shaped tensor with both shapes", () => {
    const bb = tinyBackbone();
    const specs = backboneParamSpecs(bb);
    const raw = checkpointFor(specs, (n) => n);
    raw.delete("blocks.1.ls2.gamma");
    raw.set("blocks.0.attn.qkv.weight", f32([48, 8]));
    const e = caught(() =>
      bindWeights(specs, normaliseCheckpoint(raw), "ck.safetensors", new DiagnosticBag()),
    );
    const codes = e.diagnostics.map((d) => d.code).sort();
    expect(codes).toEqual(["VFM4001", "VFM4002"]);
    const shape = e.diagnostics.find((d) => d.code === "VFM4002")!;
    expect(shape.message).toContain("blocks.0.attn.qkv.weight");
    expect(shape.message).toContain("[48, 8]");
    expect(shape.message).toContain("[48, 16]");
    expect(e.diagnostics.find((d) => d.code === "VFM4001")!.message).toContain("blocks.1.ls2.gamma");
  });

  it("warns about backbone tensors the spec does not declare", () => {
    const withLs = backboneParamSpecs(tinyBackbone());
    const withoutLs = backboneParamSpecs(tinyBackbone({ layerscale: 0 }));
    const bag = new DiagnosticBag();
    const { unused } = bindWeights(
      withoutLs,
      normaliseCheckpoint(checkpointFor(withLs, (n) => n)),
      "ck",
      bag,
    );
    expect(unused).toHaveLength(4);
    expect(bag.items.map((d) => d.code)).toEqual(["VFM4005"]);
  });

  it("honours the checkpoint's position grid over the spec's", () => {
    const bb = tinyBackbone({ posGrid: 4 });
    const raw = new Map([["pos_embed", f32([1, 1 + 37 * 37, 16])]]);
    expect(withCheckpointGrid(bb, raw, "ck").posGrid).toBe(37);
    const bad = new Map([["pos_embed", f32([1, 11, 16])]]);
    expect(caught(() => withCheckpointGrid(bb, bad, "ck")).diagnostics[0]!.code).toBe("VFM4004");
  });

  it("converts F16 and BF16 weights to float32", () => {
    const specs = backboneParamSpecs(tinyBackbone()).filter((s) => s.name === "norm.weight");
    const half: WeightTensor = { dtype: "F16", shape: [16], data: new Uint16Array(16).fill(0x3c00) }; // 1.0
    const bf: WeightTensor = { dtype: "BF16", shape: [16], data: new Uint16Array(16).fill(0xc000) }; // -2.0
    expect(
      bindWeights(specs, new Map([["norm.weight", half]]), "ck", new DiagnosticBag()).params.get(
        "norm.weight",
      )![3],
    ).toBe(1);
    expect(
      bindWeights(specs, new Map([["norm.weight", bf]]), "ck", new DiagnosticBag()).params.get(
        "norm.weight",
      )![3],
    ).toBe(-2);
    const int: WeightTensor = { dtype: "I64", shape: [16], data: new BigInt64Array(16) };
    expect(
      caught(() => bindWeights(specs, new Map([["norm.weight", int]]), "ck", new DiagnosticBag()))
        .diagnostics[0]!.code,
    ).toBe("VFM4003");
  });

  it("orders RASA projections pre_pos_layers.0…n−1 then pos_pred and checks their shapes", () => {
    const raw = normaliseCheckpoint(
      new Map([
        ["rasa_head.pos_pred.weight", f32([2, 16], 3)],
        ["rasa_head.pre_pos_layers.1.weight", f32([2, 16], 2)],
        ["rasa_head.pre_pos_layers.0.weight", f32([2, 16], 1)],
      ]),
    );
    const w = rasaWeights(raw, 16, "ck", new DiagnosticBag())!;
    expect(w.map((x) => x[0])).toEqual([1, 2, 3]);
    expect(rasaWeights(new Map(), 16, "ck", new DiagnosticBag())).toBeUndefined();
    const bad = new Map([["rasa_head.pos_pred.weight", f32([2, 8])]]);
    expect(caught(() => rasaWeights(bad, 16, "ck", new DiagnosticBag())).diagnostics[0]!.code).toBe(
      "VFM4006",
    );
  });
});
