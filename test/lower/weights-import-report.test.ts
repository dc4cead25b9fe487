// The weights report (`vfmc info --weights`) on full-size released layouts, shapes only: DINOv2 ViT-B/14 hub file
// (flat, 37×37 grid, 175 tensors) and Franca ViT-L/14 LAION v1.0.0 (teacher, 4 chunks of 6 blocks, MRL heads, RASA
// head, a 37×37 grid under a spec built for 16×16), reference §1.1, §1.3, §12.8.
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/lower/check-spec.js";
import type { ModelIR } from "../../src/ir/model.js";
import { backboneParamSpecs } from "../../src/lower/backbone/params.js";
import { modelHeadSpecs } from "../../src/lower/objectives/index.js";
import { weightsReport, weightsReportText } from "../../src/lower/weights-report.js";
import type { WeightTensor } from "../../src/lower/weights.js";

const model = (file: string, name: string): ModelIR => checkSpec(file).models.find((m) => m.name === name)!;
const shapeOnly = (shape: readonly number[]): WeightTensor => ({ dtype: "F32", shape, data: [] });

/** The backbone state dict of `ir` with an M×M grid, keys renamed by `key`. */
function stateDict(ir: ModelIR, grid: number, key: (n: string) => string): Map<string, WeightTensor> {
  const specs = backboneParamSpecs({ ...ir.backbone, posGrid: grid }, { channels: 3 });
  return new Map(specs.map((s) => [key(s.name), shapeOnly(s.shape)]));
}

describe("weights report on full-size layouts", () => {
  it("DINOv2 ViT-B/14 hub: 175 tensors, flat, 37×37 resampled to 16×16 at 224 px", () => {
    const ir = model("specs/dinov2.vfm", "dinov2_vitb14");
    const tensors = stateDict(ir, 37, (n) => n);
    expect(tensors.size).toBe(175); // 7 + 14·L (§1.1)
    const r = weightsReport(ir, [{ file: "dinov2_vitb14.safetensors", tensors }]);
    expect(r).toMatchObject({ needed: 175, missing: [], misShaped: [], unexpected: [], ok: true });
    expect(r.surgery).toEqual(["none needed (flat hub layout)"]);
    expect(r.grid).toMatchObject({ checkpoint: 37, spec: 37, export: 16 });
    expect(r.grid.text).toBe(
      "pos_embed 37×37 in the checkpoint and the spec: interpolated at run time to 16×16 (bicubic, offset 0.1)",
    );
  });

  it("Franca ViT-L/14 v1.0.0: teacher, 4 chunks of 6, heads dropped, RASA apart, 37×37 over the spec's 16×16", () => {
    const ir = model("specs/franca.vfm", "franca_vitl14");
    const chunk = (n: string): string =>
      n.replace(/^blocks\.(\d+)\./, (_, i: string) => `blocks.${Math.floor(Number(i) / 6)}.${i}.`);
    const teacher = stateDict(ir, 37, (n) => `teacher.backbone.${chunk(n)}`);
    expect([...teacher.keys()]).toContain("teacher.backbone.blocks.1.6.attn.qkv.weight");
    for (const s of modelHeadSpecs(ir)) teacher.set(`teacher.${s.name}`, shapeOnly(s.shape));
    for (let k = 0; k < 8; k++)
      teacher.set(`teacher.rasa_head.pre_pos_layers.${k}.weight`, shapeOnly([2, 1024]));
    teacher.set("teacher.rasa_head.pos_pred.weight", shapeOnly([2, 1024]));
    const r = weightsReport(ir, [{ file: "franca_vitl14_LAION.safetensors", tensors: teacher }]);
    expect(r).toMatchObject({ needed: 343, missing: [], misShaped: [], unexpected: [], ok: true });
    expect(Object.keys(r.dropped).sort()).toEqual(["dino_head", "ibot_head"]);
    expect(r.rasa).toEqual({ projections: 9, used: ir.export.outputs.includes("patch_tokens_rasa") });
    expect(r.grid.text).toBe(
      "pos_embed 37×37 in the checkpoint, spec 16×16: the checkpoint's grid is kept, interpolated at run time to 16×16 (bicubic, offset 0.1)",
    );
    expect(weightsReportText(r)).toContain("chunked blocks.{c}.{i} flattened to blocks.{i} (336 tensors)");
  });

  it("a DINOv2 ViT-L checkpoint under the Franca ViT-L spec: GELU MLP against SwiGLU", () => {
    const ir = model("specs/franca.vfm", "franca_vitl14");
    const dinov2 = stateDict(model("specs/dinov2.vfm", "dinov2_vitl14"), 37, (n) => n);
    const r = weightsReport(ir, [{ file: "dinov2_vitl14.safetensors", tensors: dinov2 }]);
    expect(r.ok).toBe(false);
    expect(r.missing.map((x) => x.name)).toContain("blocks.23.mlp.w12.weight");
    expect(r.missing).toHaveLength(24 * 4);
    expect(r.unexpected).toContain("blocks.0.mlp.fc1.weight");
    expect(r.unexpected).toHaveLength(24 * 4);
  });
});
