// An MAE checkpoint in facebookresearch/mae's layout (models_mae.py state_dict: the encoder under the ViT names,
// pos_embed and decoder_pos_embed as fixed sin-cos tables, decoder_embed, mask_token, decoder_blocks.N…,
// decoder_norm, decoder_pred; flat keys, as the .pth → safetensors snippet of docs/weights.md writes them) loads
// through `--weights`: the reconstruction graph built from it reproduces the PyTorch reference's prediction
// (test/fixtures/torch/step_mae, the forward before the step), and the inference graph takes the encoder without
// reporting the decoder or the fixed tables as unused.
import { describe, expect, it } from "vitest";
import { sincosTable } from "../../src/lower/backbone/sincos.js";
import { compileModelGraphs } from "../../src/lower/compile.js";
import { weightsReport } from "../../src/lower/weights-report.js";
import type { WeightTensor } from "../../src/lower/weights.js";
import { DEFAULT_OPSET } from "../../src/onnx/model.js";
import { runModel } from "../harness/ort.js";
import { maeFixtureIr } from "./mae-fixture-ir.js";
import { fixtureCase, relativeError, tensor, values } from "./torch-fixtures.js";

async function officialLayout() {
  const f = await fixtureCase("step_mae");
  const ir = maeFixtureIr(f);
  const state = new Map<string, WeightTensor>();
  const grid = ir.backbone.posGrid;
  const table = (dim: number): WeightTensor => ({
    dtype: "F32",
    shape: [1, 1 + grid * grid, dim],
    data: sincosTable(dim, grid),
  });
  for (const name of Object.keys(f.json.parameters)) {
    const t = tensor(f, name);
    state.set(name, { dtype: "F32", shape: t.shape, data: t.data as Float32Array });
    // models_mae.py registers pos_embed right after cls_token, decoder_pos_embed after mask_token
    if (name === "cls_token") state.set("pos_embed", table(ir.backbone.dim));
    if (name === "mask_token") state.set("decoder_pos_embed", table(ir.decoder!.dim));
  }
  return { f, ir, state };
}

describe("an MAE checkpoint in the official layout", () => {
  it("reconstructs every image as the PyTorch reference does (pred and mask within 1e-5)", async () => {
    const { f, ir, state } = await officialLayout();
    const compiled = compileModelGraphs(ir, {
      emit: ["reconstruct"],
      opset: DEFAULT_OPSET,
      weights: [{ file: "mae_pretrain.safetensors", tensors: state }],
    });
    expect(compiled.diagnostics.map((d) => d.code)).toEqual([]);
    const images = tensor(f, "input.global_crops");
    const order = tensor(f, "input.patch_order");
    const [n, c, s] = images.shape as [number, number, number];
    const P = order.shape[1]!;
    const pred = values(f, "output.pred");
    const mask = values(f, "output.mask");
    const per = pred.length / n;
    for (let b = 0; b < n; b++) {
      const out = await runModel(compiled.graphs[0]!.model, {
        pixel_values: {
          dtype: "float32",
          dims: [1, c, s, s],
          data: (images.data as Float32Array).slice(b * c * s * s, (b + 1) * c * s * s),
        },
        patch_order: {
          dtype: "int64",
          dims: [1, P],
          data: (order.data as BigInt64Array).slice(b * P, (b + 1) * P),
        },
      });
      const got = out["pred"]!.data as Float32Array;
      expect(relativeError(got, pred.slice(b * per, (b + 1) * per)), `image ${b}`).toBeLessThan(1e-5);
      expect(Array.from(out["mask"]!.data as Float32Array)).toEqual(mask.slice(b * P, (b + 1) * P));
    }
  });

  it("gives the inference graph the encoder, the decoder and the fixed tables reported as training-only", async () => {
    const { ir, state } = await officialLayout();
    const compiled = compileModelGraphs(ir, {
      emit: ["infer"],
      opset: DEFAULT_OPSET,
      weights: [{ file: "mae_pretrain.safetensors", tensors: state }],
    });
    expect(compiled.diagnostics.map((d) => d.code)).toEqual([]);
    const report = weightsReport(ir, [{ file: "mae_pretrain.safetensors", tensors: state }]);
    expect(report.ok).toBe(true);
    expect(report.unexpected).toEqual([]);
    expect(Object.keys(report.dropped).sort()).toEqual(
      [
        "decoder_blocks",
        "decoder_embed",
        "decoder_norm",
        "decoder_pos_embed",
        "decoder_pred",
        "mask_token",
        "pos_embed",
      ].sort(),
    );
  });
});
