// AST → IR through the schema tables: defaults, derived values, extends with variant changes, diagnostics data.
import { describe, expect, test } from "vitest";
import { checkSpec } from "../../src/lower/check-spec.js";
import type { ModelIR } from "../../src/ir/model.js";

function check(files: Record<string, string>) {
  return checkSpec("main.vfm", { readFile: (f) => files[f] });
}
const B = "backbone vit { patch 16, dim 384, depth 12, heads 6 }";

function one(text: string): ModelIR {
  const r = check({ "main.vfm": text });
  // warnings about training dynamics (VFM37xx) are the dynamics tests' business
  expect(
    r.diagnostics.filter((d) => !d.code.startsWith("VFM37")).map((d) => `${d.code} ${d.message}`),
  ).toEqual([]);
  return r.models[0]!;
}

describe("defaults and derived values", () => {
  test("a model with only the required keys is fully resolved from the schema defaults", () => {
    const m = one(`model m { ${B} }`);
    expect(m.backbone).toMatchObject({
      ffn: "mlp",
      ffnHidden: 1536,
      headDim: 64,
      layerscale: 1e-5,
      posGrid: 37,
    });
    expect(m.masking.kind).toBe("block");
    expect(m.heads.ibot).toMatchObject({ separate: false, prototypes: 65536 });
    expect(m.train.totalSteps).toBe(100 * 1250);
    expect(m.losses.dino.teacherTemp).toEqual({
      shape: "linear",
      from: 0.04,
      to: 0.07,
      warmupSteps: 0,
      overSteps: 37500,
    });
    expect(m.spans.get("backbone.dim")?.start).toMatchObject({ line: 1, col: 40 });
    expect(m.spans.has("input.size")).toBe(false);
  });

  test("the iBOT loss takes the DINO loss's targets and temperatures unless written", () => {
    const m = one(
      `model m { ${B}\n losses { dino { targets sinkhorn, teacher_temp 0.07 } ibot { student_temp 0.2 } } }`,
    );
    expect(m.losses.ibot).toMatchObject({ targets: "sinkhorn", studentTemp: 0.2 });
    expect(m.losses.ibot.teacherTemp).toMatchObject({ shape: "constant", from: 0.07 });
  });

  test("durations resolve with the epoch length; lr is scaled by batch × devices, min_lr is not", () => {
    const m = one(
      `model m { ${B}\n optim { lr cosine 1e-3 -> 1e-6 warmup 2 epochs, lr_scaling linear_wrt_256 }\n train { batch 64, devices 8, epochs 40, epoch_length 100 } }`,
    );
    expect(m.optim.lr).toEqual({ shape: "cosine", from: 2e-3, to: 1e-6, warmupSteps: 200, overSteps: 4000 });
    expect(m.optim.baseLr).toBe(1e-3);
    expect(m.optim.freezeLastLayerSteps).toBe(100);
  });

  test("turning iBOT off leaves no iBOT head and, unless written, no masking", () => {
    const m = one(`model m { ${B}\n losses { ibot { weight 0 } } }`);
    expect(m.heads.ibot).toBeNull();
    expect(m.masking.kind).toBe("none");
  });

  test("per-crop probabilities: a number applies to all three crops", () => {
    const m = one(`model m { ${B}\n crops { augment { flip 0.3, blur { p [0.1, 0.2, 0.3] } } } }`);
    expect(m.crops.augment.flip).toEqual({ global1: 0.3, global2: 0.3, local: 0.3 });
    expect(m.crops.augment.blur.p).toEqual({ global1: 0.1, global2: 0.2, local: 0.3 });
  });
});

describe("extends", () => {
  test("a variant change keeps the keys that still apply and drops inherited ones that do not", () => {
    const r = check({
      "main.vfm": `import "base.vfm"\nmodel child extends base { masking cyclic { ratio 0.1 .. 0.65 } }`,
      "base.vfm": `model base { ${B}\n masking block { images 0.25, min_patches 8 } }`,
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.models.map((m) => m.name)).toEqual(["child"]);
    expect(r.models[0]!.masking).toMatchObject({
      kind: "cyclic",
      images: 0.25,
      ratio: { lo: 0.1, hi: 0.65 },
      minPatches: 4,
    });
    expect(r.models[0]!.chain).toEqual(["child", "base"]);
  });

  test("an inherited span points into the parent's file", () => {
    const r = check({
      "main.vfm": `import "base.vfm"\nmodel child extends base { train { batch 8 } }`,
      "base.vfm": `model base { ${B} }`,
    });
    expect(r.models[0]!.spans.get("backbone.dim")?.file).toBe("base.vfm");
    expect(r.models[0]!.spans.get("train.batch")?.file).toBe("main.vfm");
  });
});

describe("diagnostic data", () => {
  test("unknown keys and enum values carry the suggestion for a quick fix", () => {
    const r = check({ "main.vfm": `model m { ${B}\n backbone { ffn swigl }\n input { szie 224 } }` });
    const data = r.diagnostics.map((d) => [d.code, d.data?.["suggestion"]]);
    expect(data).toContainEqual(["VFM2101", "size"]);
  });

  test("a duplicate points at the first occurrence", () => {
    const r = check({ "main.vfm": `model m { ${B}\n train { batch 8, batch 16 } }` });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.related?.[0]?.span.start).toMatchObject({ line: 2, col: 10 });
  });

  test("models of imported files are checked through their children only", () => {
    const r = check({ "main.vfm": `import "lib.vfm"\nmodel a { ${B} }`, "lib.vfm": `model unused { ${B} }` });
    expect(r.models.map((m) => m.name)).toEqual(["a"]);
  });
});
