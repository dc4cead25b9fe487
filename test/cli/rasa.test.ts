// `vfmc rasa` end to end on examples/franca-tiny.vfm: fit on a backbone whose position embedding carries a strong
// signal, write the RASA asset, fold it with `vfmc compile --weights CKPT --weights RASA`, and check that a fresh
// position probe on the compiled graph's patch_tokens_rasa does about as badly as predicting the mean position.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/lower/check-spec.js";
import { backboneParamSpecs } from "../../src/lower/backbone/params.js";
import { initTensor } from "../../src/lower/init.js";
import { readSafetensors, writeSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import { syntheticSource } from "../../src/runtime/data/synthetic.js";
import { RasaFitter } from "../../src/runtime/post/rasa.js";
import { runModel } from "../harness/ort.js";
import { readModel } from "../../src/onnx/serialize.js";
import { vfmc } from "../harness/cli.js";
import { scratchDir } from "../harness/scratch-dir.js";

const dir = scratchDir("vfmc-rasa-");

const SPEC = "examples/franca-tiny.vfm";
const ir = checkSpec(SPEC).models[0]!;
const IMAGES = 48;

/** The seeded init with pos_embed scaled up, so the patch tokens carry position as a trained ViT's do. */
async function positionalBackbone(file: string): Promise<void> {
  const specs = backboneParamSpecs(ir.backbone, { channels: 3, maskToken: false });
  await writeSafetensors(
    file,
    specs.map((s) => {
      const data = initTensor(s, 0);
      if (s.name === "pos_embed") for (let i = 0; i < data.length; i++) data[i]! *= 100;
      return { name: s.name, dtype: "F32" as const, shape: s.shape as number[], data };
    }),
  );
}

describe("vfmc rasa", () => {
  it("fits, writes the asset, and the compiled fold leaves a fresh probe near the mean-position error", async () => {
    const ckpt = join(dir, "backbone.safetensors");
    const rasa = join(dir, "rasa.safetensors");
    await positionalBackbone(ckpt);
    const common = [
      "--images",
      String(IMAGES),
      "--steps",
      "120",
      "--batch",
      "16",
      "--lr",
      "0.03",
      "--threads",
      "1",
    ];
    const r = await vfmc("rasa", SPEC, "--weights", ckpt, "--rounds", "9", "-o", rasa, "--json", ...common);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as {
      meanPositionError: number;
      rounds: { round: number; before: number; after: number; probe?: boolean }[];
      tensors: string[];
    };
    const mean = report.meanPositionError;
    expect(mean).toBeCloseTo(9 / 84, 6); // 8×8 grid: (g + 1) / (12 (g − 1))
    expect(report.rounds).toHaveLength(10);
    const first = report.rounds[0]!;
    const probe = report.rounds[9]!;
    // Measured (this seed and these settings): after-round errors 0.14, 0.39, 0.50, 0.62, 0.73, 0.75, 0.74, 0.88,
    // 0.90 × mean over the 9 rounds, the probe on the folded features 0.90 × mean. Thresholds 0.5 and 0.8 leave
    // margin for platform float differences and still separate "position present" from "position removed".
    expect(first.after).toBeLessThan(0.5 * mean);
    expect(probe.probe).toBe(true);
    expect(probe.after).toBeGreaterThan(0.8 * mean);

    const written = await readSafetensors(rasa);
    expect([...written.tensors.keys()]).toEqual(report.tensors);
    expect(report.tensors.at(-1)).toBe("rasa_head.pos_pred.weight");
    expect(written.tensors.get("rasa_head.pre_pos_layers.7.weight")!.shape).toEqual([2, 64]);

    // fold through `vfmc compile` and probe the compiled output from scratch
    const out = join(dir, "compiled");
    const c = await vfmc("compile", SPEC, "-o", out, "--emit", "infer", "--weights", ckpt, "--weights", rasa);
    expect(c.code, c.err).toBe(0);
    const model = await readModel(join(out, "franca_tiny.infer.onnx"));
    const src = syntheticSource({ seed: 0, size: 32 });
    const pixels = new Float32Array(IMAGES * 3 * 32 * 32);
    for (let i = 0; i < IMAGES; i++) pixels.set(src.train.get(i).image, i * 3 * 32 * 32);
    const feats = await runModel(model, {
      pixel_values: { dtype: "float32", dims: [IMAGES, 3, 32, 32], data: pixels },
    });
    const identity = new Float32Array(64 * 64).map((_, i) => (i % 65 === 0 ? 1 : 0));
    const fit = async (name: string): Promise<number> => {
      const fitter = await RasaFitter.create(
        { tokens: feats[name]!.data as Float32Array, images: IMAGES, rows: 8, cols: 8, dim: 64 },
        { rounds: 1, steps: 120, batch: 16, lr: 0.03, seed: 7, threads: 1 },
      );
      try {
        return (await fitter.fitRound(identity, 0)).after;
      } finally {
        await fitter.release();
      }
    };
    const raw = await fit("patch_tokens");
    const cleaned = await fit("patch_tokens_rasa");
    // measured: 0.13 × mean on the raw tokens, 0.90 × mean on the RASA-cleaned ones
    expect(raw).toBeLessThan(0.5 * mean);
    expect(cleaned).toBeGreaterThan(0.8 * mean);
  });

  it("needs -o and checks its options", async () => {
    const r = await vfmc("rasa", SPEC);
    expect(r.code).toBe(2); // a usage error
    expect(r.err).toContain("VFM5004");
    const s = await vfmc("rasa", SPEC, "-o", join(dir, "x.safetensors"), "--rounds", "0");
    expect(s.code).toBe(2);
    expect(s.err).toContain("--rounds 0");
  });
});
