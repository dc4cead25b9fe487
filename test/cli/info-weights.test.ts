// `vfmc info --weights`: the checkpoint report on the released-layout fixtures (test/reference/released_layouts.py)
// — matched / missing / mis-shaped / unexpected tensors, the key surgery, the grid handling, --json and exit codes.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readSafetensors, writeSafetensors, type Tensor } from "../../src/runtime/checkpoint/safetensors.js";
import { vfmcAsPrinted as run } from "../harness/cli.js";
import { scratchDir } from "../harness/scratch-dir.js";

const DIR = "test/fixtures/torch";
const SPEC = join(DIR, "released_models.vfm");
const ckpt = (c: string): string => join(DIR, `released_${c}.safetensors`);
const tmp = scratchDir("vfmc-info-weights-");

async function rewrite(src: string, dst: string, edit: (t: Map<string, Tensor>) => void): Promise<string> {
  const { tensors } = await readSafetensors(src);
  edit(tensors);
  await writeSafetensors(
    dst,
    [...tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, data: t.data })),
  );
  return dst;
}

describe("vfmc info --weights", () => {
  test("a DINOv2 hub file: flat layout, 6×6 grid against the spec's 4×4 interpolated at run time", async () => {
    const r = await run("info", SPEC, "--model", "released_dinov2_hub", "--weights", ckpt("dinov2_hub"));
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("key surgery  none needed (flat hub layout)");
    expect(r.out).toMatch(/matched {6}35 of 35 backbone tensors/);
    expect(r.out).toContain(
      "pos_embed 6×6 in the checkpoint, spec 4×4: the checkpoint's grid is kept, interpolated at run time to 4×4 (bicubic, offset 0.1)",
    );
    expect(r.out).toContain("ok: every tensor the model needs");
  });

  test("a DINOv2 training checkpoint: teacher taken, chunks flattened, heads and loss state dropped (--json)", async () => {
    const r = await run(
      "info",
      SPEC,
      "--model",
      "released_dinov2_train",
      "--weights",
      ckpt("dinov2_train"),
      "--json",
    );
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep).toMatchObject({
      model: "released_dinov2_train",
      tensors: 104,
      needed: 35,
      missing: [],
      misShaped: [],
      unexpected: [],
      dropped: { dino_head: 8, ibot_head: 8, dino_loss: 1, ibot_patch_loss: 1 },
      rasa: null,
      grid: { checkpoint: 4, spec: 4, export: 4 },
      ok: true,
      diagnostics: [],
    });
    expect(rep.matched).toHaveLength(35);
    expect(rep.matched).toContain("blocks.1.mlp.fc2.weight");
    expect(rep.surgery.join(" ")).toMatch(
      /backbone\., teacher\. stripped.*chunked.*student\.\* ignored \(51 tensors\)/,
    );
  });

  test("a Franca v1.0 file: MRL heads dropped, the RASA head kept apart and folded", async () => {
    const r = await run(
      "info",
      SPEC,
      "--model",
      "released_franca_v1",
      "--weights",
      ckpt("franca_v1"),
      "--json",
    );
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.rasa).toEqual({ projections: 4, used: true });
    expect(rep.dropped).toEqual({ dino_head: 30, ibot_head: 30 });
    expect(rep.unexpected).toEqual([]);
    expect(rep.matched).toHaveLength(63);
  });

  test("the wrong architecture: missing and unexpected tensors listed, exit 1 with VFM4001", async () => {
    const r = await run("info", SPEC, "--model", "released_dinov2_hub", "--weights", ckpt("franca_v1"));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/missing {6}8\n {4}blocks\.0\.mlp\.fc1\.weight {2}model \[64, 16\]/);
    expect(r.out).toContain("blocks.2.attn.qkv.weight"); // Franca's depth 4 against the spec's 2
    expect(r.out).toContain("blocks.0.mlp.w12.weight");
    expect(r.out).toContain("not loadable");
    expect(r.err).toContain("error VFM4001");
  });

  test("a mis-shaped tensor is reported with both shapes", async () => {
    const file = await rewrite(ckpt("dinov2_hub"), join(tmp, "bad.safetensors"), (t) => {
      t.set("blocks.1.attn.qkv.weight", { dtype: "F32", shape: [48, 8], data: new Float32Array(384) });
      t.set("rasa_head.pos_pred.weight", { dtype: "F32", shape: [2, 8], data: new Float32Array(16) });
    });
    const r = await run("info", SPEC, "--model", "released_dinov2_hub", "--weights", file, "--json");
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.out);
    expect(rep.misShaped).toEqual([
      { name: "blocks.1.attn.qkv.weight", checkpoint: [48, 8], model: [48, 16] },
      { name: "rasa_head.pos_pred.weight", checkpoint: [2, 8], model: [2, 16] },
    ]);
    expect(rep.diagnostics.map((d: { code: string }) => d.code)).toEqual(["VFM4002", "VFM4006"]);
    const text = await run("info", SPEC, "--model", "released_dinov2_hub", "--weights", file);
    expect(text.out).toContain("blocks.1.attn.qkv.weight  checkpoint [48, 8], model [48, 16]");
  });

  test("a v1.1-style pair: stripped backbone file, then a bare RASA asset (--weights twice)", async () => {
    const { tensors } = await readSafetensors(ckpt("franca_v1"));
    const backbone = await rewrite(ckpt("franca_v1"), join(tmp, "backbone.safetensors"), (t) => {
      for (const k of [...t.keys()]) if (!k.startsWith("teacher.backbone.")) t.delete(k);
    });
    const rasa = await rewrite(ckpt("franca_v1"), join(tmp, "rasa.safetensors"), (t) => {
      t.clear();
      for (const [k, v] of tensors)
        if (k.includes("rasa_head.")) t.set(k.replace("teacher.rasa_head.", ""), v);
    });
    const args = ["info", SPEC, "--model", "released_franca_v1", "--weights", backbone, "--weights", rasa];
    const alone = JSON.parse((await run(...args.slice(0, 6), "--json")).out);
    expect(alone.rasa).toBeNull();
    expect(alone.dropped).toEqual({});
    const r = await run(...args, "--json");
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.file).toBe(`${backbone} + ${rasa}`);
    expect(rep.rasa).toEqual({ projections: 4, used: true });
    expect(rep.unexpected).toEqual([]);
    expect(rep.surgery[0]).toMatch(/^\S+backbone\.safetensors: prefixes backbone\., teacher\. stripped/);
  });

  test("vfmc's own training checkpoint: optimiser moments and the step counter are dropped", async () => {
    const file = await rewrite(ckpt("dinov2_hub"), join(tmp, "run.safetensors"), (t) => {
      for (const [k, v] of [...t]) {
        t.delete(k);
        t.set(`teacher.backbone.${k}`, v);
        t.set(`student.backbone.${k}`, v);
        t.set(`optimizer.exp_avg.${k}`, v);
      }
      t.set("step", { dtype: "I64", shape: [1], data: new BigInt64Array([3n]) });
    });
    const r = await run("info", SPEC, "--model", "released_dinov2_hub", "--weights", file, "--json");
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.dropped).toEqual({ optimizer: 35, step: 1 });
    expect(rep.unexpected).toEqual([]);
  });

  test("a file that is not there is a diagnostic, not a stack", async () => {
    const r = await run(
      "info",
      SPEC,
      "--model",
      "released_dinov2_hub",
      "--weights",
      join(tmp, "none.safetensors"),
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error VFM6\d{3}/);
    expect(r.err).not.toContain("    at ");
  });
});
