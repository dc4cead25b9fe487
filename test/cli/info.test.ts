// `vfmc info`: the report, the JSON schema, --model selection and its diagnostic.
import { describe, expect, test } from "vitest";
import { vfmcAsPrinted as run } from "../harness/cli.js";

describe("vfmc info", () => {
  test("--json for one model has the documented schema and the reference numbers", async () => {
    const r = await run("info", "specs/dinov2.vfm", "--model", "dinov2_vitb14", "--json");
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info).toMatchObject({
      name: "dinov2_vitb14",
      backbone: {
        patch: 14,
        dim: 768,
        depth: 12,
        heads: 12,
        mlp_ratio: 4,
        ffn: "mlp",
        registers: 0,
        layerscale: 1e-5,
        qkv_bias: true,
        pos_grid: 37,
      },
      input: { size: 224, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      crops: { global: { count: 2, size: 224 }, local: { count: 8, size: 98 } },
      heads: {
        dino: { prototypes: 131072, nested: 1, hidden: 2048, bottleneck: 384 },
        ibot: { prototypes: 131072, nested: 1, hidden: 2048, bottleneck: 256 },
      },
      train: { batch: 32, epochs: 500 },
    });
    expect(Math.round(info.params.backbone / 1e4) / 100).toBe(86.58);
    expect(info.params.total).toBe(info.params.backbone + info.params.heads);
    expect(info.flops.infer_per_image).toBeGreaterThan(0);
    expect(info.flops.train_per_step).toBeGreaterThan(info.flops.infer_per_image);
  });

  test("prints the first-step estimates: logit scale, loss at step 0 beside Σ log K, target entropy", async () => {
    const r = await run("info", "specs/dinov2.vfm", "--model", "dinov2_vitl14");
    expect(r.out).toContain("first step (estimated from the initialisation; docs/small-scale.md)");
    // bottleneck 384, L2-normalised: logits std 1/√384; coinciding CLS tokens make the Sinkhorn targets uniform
    expect(r.out).toMatch(
      /dino {3}logits std 0\.051 → loss ≈ 11\.91 at step 0 \(uniform log K = 11\.78\); targets at 100 % of log K/,
    );
    const j = JSON.parse((await run("info", "specs/dinov2.vfm", "--model", "dinov2_vitl14", "--json")).out);
    expect(j.init.dino).toMatchObject({
      on_plateau: false,
      targets: "sinkhorn",
      samples: 6144, // 2 global crops × 32 per GPU × 96 GPUs
      samples_coincide: true,
    });
    expect(j.init.dino.levels[0].logit_std).toBeCloseTo(1 / Math.sqrt(384), 6);
  });

  test("--set changes the model it describes (info, compile --summary)", async () => {
    const args = ["--set", "heads.dino.prototypes=128", "--set", "train.batch=8"];
    const info = JSON.parse((await run("info", "examples/franca-tiny.vfm", "--json", ...args)).out);
    expect(info.heads.dino.prototypes).toBe(128);
    expect(info.train.batch).toBe(8);
    const c = await run("compile", "examples/franca-tiny.vfm", "--summary", "--emit", "train", ...args);
    expect(c.code, c.err).toBe(0);
    expect(c.out).toContain("global_crops: f32[16,3,32,32]");
  });

  test("--json with several models prints an array, in file order", async () => {
    const r = await run("info", "specs/franca.vfm", "--json");
    expect(r.code).toBe(0);
    const infos = JSON.parse(r.out) as { name: string; heads: { dino: { nested: number } } }[];
    expect(infos.map((i) => i.name)).toEqual(["franca_vitb14", "franca_vitl14", "franca_vitg14"]);
    expect(infos.every((i) => i.heads.dino.nested === 5)).toBe(true);
  });

  test("the text report has the recipe, the parameter table, FLOPs and memory", async () => {
    const r = await run("info", "specs/dinov2.vfm", "--model", "dinov2_vits14");
    expect(r.code).toBe(0);
    expect(r.out).toContain("model dinov2_vits14 (extends dinov2_vitl14)");
    expect(r.out).toMatch(/backbone\s+22\.06 M/);
    expect(r.out).toContain("inference per image (224 px)");
    expect(r.out).toContain("activations per training step");
  });

  test("--ir prints the canonical IR", async () => {
    const r = await run("info", "examples/franca-tiny.vfm", "--ir");
    expect(r.out).toContain("model franca_tiny\n");
    expect(r.out).toContain("    ffnHidden 176\n");
  });

  test("an unknown --model is VFM5002 listing the models", async () => {
    const r = await run("info", "specs/dinov2.vfm", "--model", "dinov2_vitx14");
    expect(r.code).toBe(1);
    expect(r.err).toContain("VFM5002");
    expect(r.err).toContain("dinov2_vits14, dinov2_vitb14, dinov2_vitg14");
  });

  test("a spec with errors prints them and no report", async () => {
    const r = await run("info", "test/cases/check/c-dim-heads.vfm");
    expect(r.code).toBe(1);
    expect(r.err).toContain("VFM3003");
    expect(r.out).toBe("");
  });
});
