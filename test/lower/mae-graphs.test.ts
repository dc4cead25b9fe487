// The graphs of an MAE model (examples/mae-tiny.vfm): every kind it emits passes the ONNX checker, the training
// contract is the one a masked autoencoder needs (no teacher, one view, a patch order), the inference graph is the
// encoder on all tokens with the fixed sin-cos table, and that table is models_mae.py's.
import { describe, expect, it } from "vitest";
import { sincosTable } from "../../src/lower/backbone/sincos.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { compileModelGraphs } from "../../src/lower/compile.js";
import { DEFAULT_OPSET } from "../../src/onnx/model.js";
import { expectValidOnnx } from "../harness/onnx-checker.js";

const ir = checkSpec("examples/mae-tiny.vfm").models[0]!;

describe("MAE graphs", () => {
  const compiled = compileModelGraphs(ir, {
    emit: ["infer", "train", "steps", "grad", "reconstruct"],
    opset: DEFAULT_OPSET,
  });
  const byKind = new Map(compiled.graphs.map((g) => [g.kind, g]));

  it("emits every kind, each accepted by the ONNX checker", (t) => {
    expect([...byKind.keys()]).toEqual(["infer", "train", "steps", "grad", "reconstruct"]);
    for (const g of compiled.graphs) expectValidOnnx(g.model, t);
  });

  it("trains without a teacher on one view and a patch order: the manifest says so", () => {
    const train = byKind.get("train")!.entry;
    const roles = new Set(train.inputs.map((i) => i.role));
    expect(roles.has("teacher")).toBe(false);
    const batch = train.inputs.filter((i) => i.role === "batch").map((i) => [i.name, i.shape]);
    expect(batch).toEqual([
      ["global_crops", [ir.train.batch, 3, 32, 32]],
      ["patch_order", [ir.train.batch, 64]],
    ]);
    expect(train.inputs.filter((i) => i.role === "schedule").map((i) => i.name)).toEqual(["lr", "wd"]);
    expect(train.outputs.filter((o) => o.role === "metric").map((o) => o.name)).toEqual([
      "grad_norm.backbone",
      "grad_norm.decoder",
      "loss",
      "loss_mae",
      "grad_norm",
    ]);
    expect(compiled.manifest.schedules).toEqual({ lr: ir.optim.lr, weight_decay: ir.optim.weightDecay });
    const names = compiled.manifest.params.map((p) => p.name);
    expect(names).toContain("decoder_blocks.1.mlp.fc2.weight");
    expect(names).toContain("mask_token");
    expect(names).not.toContain("pos_embed");
    expect(compiled.manifest.params.find((p) => p.name === "mask_token")!.shape).toEqual([1, 1, 64]);
  });

  it("infers with the encoder on every token: cls and patch tokens, the sin-cos table as a constant", () => {
    const infer = byKind.get("infer")!;
    expect(infer.entry.outputs.map((o) => [o.name, o.shape])).toEqual([
      ["cls", ["N", 64]],
      ["patch_tokens", ["N", 64, 64]],
    ]);
    const table = infer.model.graph.initializers.find((t) => t.dims.join() === "1,65,64");
    expect(table && Array.from(table.data as Float32Array)).toEqual(Array.from(sincosTable(64, 8)));
    expect(infer.model.graph.initializers.some((t) => t.name === "mask_token")).toBe(false);
  });
});

describe("the 2-D sin-cos table (models_mae.py get_2d_sincos_pos_embed)", () => {
  it("has a zero CLS row, the column in the first half and the row in the second, sines before cosines", () => {
    const d = 8;
    const g = 3;
    const t = sincosTable(d, g);
    expect(Array.from(t.subarray(0, d))).toEqual(new Array(d).fill(0));
    const row = (i: number, j: number) => Array.from(t.subarray((1 + i * g + j) * d, (2 + i * g + j) * d));
    // width 8: ω = [1, 1/100]; patch (row 1, column 2) = [sin 2, sin .02, cos 2, cos .02, sin 1, sin .01, cos 1, cos .01]
    const want = [
      Math.sin(2),
      Math.sin(0.02),
      Math.cos(2),
      Math.cos(0.02),
      Math.sin(1),
      Math.sin(0.01),
      Math.cos(1),
      Math.cos(0.01),
    ];
    row(1, 2).forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 6));
  });
});
