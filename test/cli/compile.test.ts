// `vfmc compile` end to end: spec → files → onnxruntime, weights loading through safetensors, external data and
// the user-facing errors.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/lower/check-spec.js";
import { backboneParamSpecs } from "../../src/lower/backbone/params.js";
import { initTensor } from "../../src/lower/init.js";
import type { Manifest } from "../../src/lower/manifest.js";
import { rasaMatrix } from "../../src/lower/post/rasa-fold.js";
import { writeSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import { runModel, type HostTensor } from "../harness/ort.js";
import { checkOnnx } from "../harness/onnx-checker.js";
import { vfmc } from "../harness/cli.js";
import { scratchDir } from "../harness/scratch-dir.js";

const dir = scratchDir("vfmc-compile-");

const SPEC = "examples/franca-tiny.vfm";
const pixels = (n: number): HostTensor => {
  const data = new Float32Array(n * 3 * 32 * 32);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 1000;
  return { dtype: "float32", dims: [n, 3, 32, 32], data };
};

describe("vfmc compile", () => {
  it("--dims exports one Matryoshka level: the first d channels of the full-width features", async () => {
    const full = join(dir, "dims-full");
    const cut = join(dir, "dims-32");
    expect((await vfmc("compile", SPEC, "-o", full, "--emit", "infer")).code).toBe(0);
    const r = await vfmc("compile", SPEC, "-o", cut, "--emit", "infer", "--dims", "32");
    expect(r.code, r.err).toBe(0);
    const manifest = JSON.parse(readFileSync(join(cut, "franca_tiny.manifest.json"), "utf8")) as Manifest;
    expect(manifest.graphs[0]!.outputs.map((o) => [o.name, o.shape])).toEqual([
      ["cls", ["N", 32]],
      ["patch_tokens", ["N", 64, 32]],
    ]);
    const feeds = { pixel_values: pixels(2) };
    const a = await runModel(join(full, "franca_tiny.infer.onnx"), feeds);
    const b = await runModel(join(cut, "franca_tiny.infer.onnx"), feeds);
    const wide = a.cls!.data as Float32Array;
    const narrow = b.cls!.data as Float32Array;
    for (let n = 0; n < 2; n++)
      expect(Array.from(narrow.subarray(n * 32, n * 32 + 32))).toEqual(
        Array.from(wide.subarray(n * 64, n * 64 + 32)),
      );
  });

  it("--dims that is not a nested level is a diagnostic naming the levels", async () => {
    const r = await vfmc("compile", SPEC, "-o", join(dir, "dims-bad"), "--emit", "infer", "--dims", "40");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/VFM4050/);
    expect(r.err).toMatch(/16, 32, 64/);
  });

  it("writes the inference graph and a manifest for examples/franca-tiny.vfm", async () => {
    const out = join(dir, "plain");
    const r = await vfmc("compile", SPEC, "-o", out, "--emit", "infer");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/franca_tiny\.infer\.onnx: \d+ nodes, .* parameters/);
    // the spec asks for patch_tokens_rasa, which needs RASA weights: a warning, not an error
    expect(r.err).toContain("VFM4007");
    const manifest = JSON.parse(readFileSync(join(out, "franca_tiny.manifest.json"), "utf8")) as Manifest;
    expect(manifest.graphs.map((g) => g.kind)).toEqual(["infer"]);
    const infer = manifest.graphs[0]!;
    expect(infer.inputs).toEqual([
      {
        name: "pixel_values",
        dtype: "float32",
        shape: ["N", 3, 32, 32],
        role: "batch",
        doc: expect.any(String),
      },
    ]);
    expect(infer.outputs.map((o) => [o.name, o.role, o.shape])).toEqual([
      ["cls", "feature", ["N", 64]],
      ["patch_tokens", "feature", ["N", 64, 64]],
    ]);
    expect(manifest.params.find((p) => p.name === "patch_embed.proj.weight")).toMatchObject({
      shape: [64, 3, 4, 4],
      lrMultiplier: 0.2,
      decay: true,
    });
    expect(manifest.params.find((p) => p.name === "blocks.0.norm1.weight")).toMatchObject({ decay: false });
    expect(Object.keys(manifest.schedules)).toContain("lr");
    const path = join(out, "franca_tiny.infer.onnx");
    const res = await runModel(path, { pixel_values: pixels(2) });
    expect(res.cls!.dims).toEqual([2, 64]);
    const check = checkOnnx(path);
    if (!check.skipped) expect(check.ok, check.message).toBe(true);
  });

  it("emits the inference and training graphs by default, each passing the ONNX checker", async () => {
    const out = join(dir, "default");
    const r = await vfmc("compile", SPEC, "-o", out);
    expect(r.code, r.err).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "franca_tiny.manifest.json"), "utf8")) as Manifest;
    expect(manifest.graphs.map((g) => g.kind)).toEqual(["infer", "train"]);
    const train = manifest.graphs[1]!;
    const roles = new Set(train.inputs.map((i) => i.role));
    for (const role of ["param", "teacher", "batch", "schedule"]) expect(roles).toContain(role);
    // every fed-back output names an input of the same graph
    const inputs = new Set(train.inputs.map((i) => i.name));
    for (const o of train.outputs) if (o.next) expect(inputs).toContain(o.next);
    for (const g of manifest.graphs) {
      const check = checkOnnx(join(out, g.file));
      if (!check.skipped) expect(check.ok, `${g.file}: ${check.message}`).toBe(true);
    }
  });

  it("moves weights to external data on request and computes the same features", async () => {
    const inline = join(dir, "plain", "franca_tiny.infer.onnx");
    const out = join(dir, "external");
    const r = await vfmc(
      "compile",
      SPEC,
      "-o",
      out,
      "--emit",
      "infer",
      "--external-data",
      "always",
      "--json",
    );
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { models: { graphs: { externalBytes: number }[] }[] };
    expect(report.models[0]!.graphs[0]!.externalBytes).toBeGreaterThan(0);
    expect(existsSync(join(out, "franca_tiny.infer.onnx.data"))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, "franca_tiny.manifest.json"), "utf8")) as Manifest;
    expect(manifest.graphs[0]!.externalData).toBe("franca_tiny.infer.onnx.data");
    const a = await runModel(inline, { pixel_values: pixels(1) });
    const b = await runModel(join(out, "franca_tiny.infer.onnx"), { pixel_values: pixels(1) });
    expect(Array.from(b.cls!.data as Float32Array)).toEqual(Array.from(a.cls!.data as Float32Array));
  });

  it("loads a chunked teacher checkpoint with a different position grid", async () => {
    const ir = checkSpec(SPEC).models[0]!;
    const bb = { ...ir.backbone, posGrid: 5 }; // the graph must interpolate 5 → 8
    const specs = backboneParamSpecs(bb);
    const file = join(dir, "teacher.safetensors");
    await writeSafetensors(
      file,
      specs.map((s) => ({
        name: `teacher.backbone.${s.name.replace(/^blocks\.(\d+)\./, (_, i: string) => `blocks.${Number(i) >> 1}.${i}.`)}`,
        dtype: "F32" as const,
        shape: s.shape,
        data: initTensor({ ...s, init: { kind: "uniform", bound: 0.3 } }, 5),
      })),
    );
    // a separate RASA asset (§8.1: bare pre_pos_layers.* / pos_pred.weight keys), given second
    const rasaFile = join(dir, "rasa.safetensors");
    const rasa = [0, 1, 2].map((k) =>
      initTensor({ ...specs[0]!, name: `r${k}`, shape: [2, 64], init: { kind: "uniform", bound: 1 } }, k),
    );
    await writeSafetensors(rasaFile, [
      { name: "module.pre_pos_layers.0.weight", dtype: "F32", shape: [2, 64], data: rasa[0]! },
      { name: "module.pre_pos_layers.1.weight", dtype: "F32", shape: [2, 64], data: rasa[1]! },
      { name: "module.pos_pred.weight", dtype: "F32", shape: [2, 64], data: rasa[2]! },
    ]);
    const out = join(dir, "loaded");
    const r = await vfmc(
      "compile",
      SPEC,
      "-o",
      out,
      "--emit",
      "infer",
      "--weights",
      file,
      "--weights",
      rasaFile,
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toContain("VFM4007");
    expect(r.err).toMatch(/VFM4011: .*pos_embed holds a 5×5 grid; it replaces backbone.pos_grid 8/);
    const manifest = JSON.parse(readFileSync(join(out, "franca_tiny.manifest.json"), "utf8")) as Manifest;
    expect(manifest.backbone.posGrid).toBe(5);
    expect(manifest.graphs[0]!.outputs.map((o) => o.name)).toEqual([
      "cls",
      "patch_tokens",
      "patch_tokens_rasa",
    ]);
    const loaded = await runModel(join(out, "franca_tiny.infer.onnx"), { pixel_values: pixels(1) });
    const fresh = await runModel(join(dir, "plain", "franca_tiny.infer.onnx"), { pixel_values: pixels(1) });
    expect(Array.from(loaded.cls!.data as Float32Array)).not.toEqual(
      Array.from(fresh.cls!.data as Float32Array),
    );
    // patch_tokens_rasa = patch_tokens · P_0 P_1 P_2
    const m = rasaMatrix(rasa, 64);
    const p = loaded.patch_tokens!.data as Float32Array;
    const pr = loaded.patch_tokens_rasa!.data as Float32Array;
    for (const row of [0, 17, 63])
      for (const j of [0, 31, 63]) {
        let want = 0;
        for (let i = 0; i < 64; i++) want += p[row * 64 + i]! * m[i * 64 + j]!;
        expect(pr[row * 64 + j]).toBeCloseTo(want, 4);
      }
  });

  it("reports a mis-shaped checkpoint tensor with both shapes and exits 1", async () => {
    const file = join(dir, "bad.safetensors");
    const ir = checkSpec(SPEC).models[0]!;
    const specs = backboneParamSpecs(ir.backbone);
    await writeSafetensors(
      file,
      specs.map((s) => ({
        name: s.name,
        dtype: "F32" as const,
        shape: s.name === "norm.weight" ? [32] : s.shape,
        data: new Float32Array(s.name === "norm.weight" ? 32 : s.shape.reduce((a, b) => a * b, 1)),
      })),
    );
    const r = await vfmc("compile", SPEC, "-o", join(dir, "bad"), "--emit", "infer", "--weights", file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/VFM4002: .*'norm\.weight' has shape \[32\] but the model expects \[64\]/);
  });

  it("stops at spec errors with their diagnostics and writes nothing", async () => {
    const spec = join(dir, "broken.vfm");
    writeFileSync(
      spec,
      readFileSync(SPEC, "utf8").replace("dim 64, depth 4, heads 4", "dim 66, depth 4, heads 4"),
    );
    const out = join(dir, "broken");
    const r = await vfmc("compile", spec, "-o", out, "--emit", "infer");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.vfm:\d+:\d+: error VFM3\d{3}/);
    expect(existsSync(out)).toBe(false);
  });

  it("rejects unknown graphs, models and opsets with diagnostics", async () => {
    const emit = await vfmc("compile", SPEC, "-o", join(dir, "x"), "--emit", "infer,nope");
    expect(emit.code).toBe(2); // a usage error
    expect(emit.err).toContain("VFM5004");
    const model = await vfmc("compile", SPEC, "-o", join(dir, "x"), "--model", "nope");
    expect(model.code).toBe(1);
    expect(model.err).toContain("VFM5002");
    const opset = await vfmc("compile", SPEC, "-o", join(dir, "x"), "--emit", "infer", "--opset", "12");
    expect(opset.code).toBe(1);
    expect(opset.err).toContain("VFM4008");
  });
});
