// Every model of every spec in specs/ and examples/, lowered: golden summaries of its inference and training-step
// graphs (specs/baselines/<spec>/<model>.{infer,train}.summary.txt — I/O with roles, parameters, node count, op
// histogram), built without materialising a single weight, so ViT-g costs seconds. Also: nodes carry the spec
// source that made them, a ShapeError while lowering becomes a VFM4012 diagnostic at that source, and deferred
// weights are produced only when written, once per tensor.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it, test } from "vitest";
import type { Io } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { DiagnosticBag, DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { toOnnx } from "../../src/graph/emit.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import type { ModelIR } from "../../src/ir/model.js";
import { compileModelGraphs, graphKind, lowerContext, lowerGraph } from "../../src/lower/compile.js";
import { attachDeferred } from "../../src/lower/deferred-weights.js";
import { lowerInfer } from "../../src/lower/infer.js";
import { initTensor } from "../../src/lower/init.js";
import type { ParamSpec } from "../../src/lower/params.js";
import { sourcePath, sourceText } from "../../src/lower/source.js";
import { loweredSummary } from "../../src/lower/summary.js";
import { DEFAULT_OPSET } from "../../src/onnx/model.js";
import { writeModel } from "../../src/onnx/serialize.js";
import { expectBaseline } from "../harness/baseline.js";
import { runModel } from "../harness/ort.js";

const specFiles = ["specs", "examples"].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".vfm"))
    .sort()
    .map((f) => join(dir, f)),
);

describe.each(specFiles)("%s", (file) => {
  const models = checkSpec(file).models;
  const dir = join(file.split("/")[0]!, "baselines", basename(file, ".vfm"));

  test.each(models.map((m) => [m.name, m] as const))(
    "%s: inference and training graphs match their summaries",
    (name, ir) => {
      expect(ir.name).toBe(name);
      const ctx = lowerContext(ir, [], new DiagnosticBag());
      for (const kind of ["infer", "train"]) {
        const lowered = lowerGraph(graphKind(kind)!, ctx);
        expectBaseline(join(dir, `${name}.${kind}.summary.txt`), loweredSummary(lowered, DEFAULT_OPSET));
      }
    },
  );
});

test("vfmc compile --summary prints the same summaries and writes nothing", async () => {
  let out = "";
  let err = "";
  const io: Io = { out: (t) => void (out += t + "\n"), err: (t) => void (err += t + "\n") };
  const dir = mkdtempSync(join(tmpdir(), "vfmc-summary-"));
  try {
    const code = await main(
      ["compile", "examples/franca-tiny.vfm", "--summary", "--emit", "infer,train", "-o", join(dir, "o")],
      io,
    );
    expect(code, err).toBe(0);
    const base = "examples/baselines/franca-tiny/franca_tiny";
    const want = ["infer", "train"].map((k) => readFileSync(`${base}.${k}.summary.txt`, "utf8") + "\n");
    expect(out).toBe(want.join(""));
    expect(existsSync(join(dir, "o"))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function tiny(): ModelIR {
  return checkSpec("examples/franca-tiny.vfm").models[0]!;
}

describe("source spans", () => {
  it("attributes every node of the training step to the spec construct that made it", () => {
    const ir = tiny();
    const ctx = lowerContext(ir, [], new DiagnosticBag());
    const model = toOnnx(lowerGraph(graphKind("train")!, ctx).graph, { opset: DEFAULT_OPSET });
    const docs = model.graph.nodes.map((n) => n.docString ?? "");
    expect(docs.filter((d) => d === "")).toEqual([]);
    for (const d of docs) expect(d).toMatch(/^franca-tiny\.vfm:\d+:\d+ [a-z_.]+( |$)/);
    // the line and column are those of the construct as written in the spec
    const dino = docs.find((d) => sourcePath(d) === "heads.dino");
    const span = ir.spans.get("heads.dino")!;
    expect(dino).toBe(`franca-tiny.vfm:${span.start.line}:${span.start.col} heads.dino`);
    const paths = new Set(docs.map(sourcePath));
    for (const p of [
      "backbone.patch",
      "backbone.depth",
      "masking",
      "heads.dino",
      "heads.ibot",
      "losses.dino",
      "losses.dino.targets",
      "losses.ibot",
      "losses.koleo",
      "optim",
      "optim.clip",
      "teacher.momentum",
    ])
      expect(paths, p).toContain(p);
    // KoLeo's nearest neighbour is the only ArgMax; each block names its index
    const argmax = model.graph.nodes
      .filter((n) => n.opType === "ArgMax")
      .map((n) => sourcePath(n.docString!));
    expect(new Set(argmax)).toEqual(new Set(["losses.koleo"]));
    expect(docs.some((d) => d.endsWith("backbone.depth block 3"))).toBe(true);
    // inputs say where they come from too
    const crops = model.graph.inputs.find((i) => i.name === "global_crops")!;
    expect(sourcePath(crops.docString!)).toBe("crops.global");
  });

  it("attributes every node of the inference and gradient graphs too", () => {
    const ctx = lowerContext(tiny(), [], new DiagnosticBag());
    for (const kind of ["infer", "grad"]) {
      const model = toOnnx(lowerGraph(graphKind(kind)!, ctx).graph, { opset: DEFAULT_OPSET });
      const docs = model.graph.nodes.map((n) => n.docString ?? "");
      for (const d of docs) expect(d, kind).toMatch(/^franca-tiny\.vfm:\d+:\d+ [a-z_.]+( |$)/);
      expect(new Set(docs.map(sourcePath)), kind).toContain("backbone.depth");
    }
  });

  it("falls back to the nearest written ancestor for a defaulted value", () => {
    const ir = tiny();
    const text = sourceText(ir, "losses.ibot.targets");
    const ibot = ir.spans.get("losses.ibot")!;
    expect(ir.spans.has("losses.ibot.targets")).toBe(false);
    expect(text).toBe(`franca-tiny.vfm:${ibot.start.line}:${ibot.start.col} losses.ibot.targets`);
  });

  it("turns a ShapeError while lowering into VFM4012 at the construct, not a stack", () => {
    // an IR the checker would reject (1 channel, 3 means): the patch embedding sees 3 channels, its weight 1
    const ir = tiny();
    const bad: ModelIR = { ...ir, input: { ...ir.input, channels: 1 } };
    let caught: unknown;
    try {
      compileModelGraphs(bad, { emit: ["infer"], opset: DEFAULT_OPSET });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    const [d] = (caught as DiagnosticError).diagnostics;
    expect(d!.code).toBe("VFM4012");
    expect(d!.message).toMatch(
      /cannot build the infer graph of franca_tiny: Reshape: .* at franca-tiny\.vfm:/,
    );
    expect(d!.span).toEqual(ir.spans.get("backbone.patch"));
  });
});

describe("deferred weights", () => {
  const dir = mkdtempSync(join(tmpdir(), "vfmc-deferred-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("produces each tensor only when written, once, with the values of an eager graph", async () => {
    const ir = tiny();
    const seed = ir.train.seed;
    const bag = new DiagnosticBag();
    const lazy = lowerInfer({ ir, backbone: ir.backbone, bag });
    expect(lazy.graph.params.every((p) => p.data === undefined)).toBe(true);
    const produced: string[] = [];
    const value = (s: ParamSpec): Float32Array => {
      produced.push(s.name);
      return initTensor(s, seed);
    };
    const model = toOnnx(lazy.graph, { opset: DEFAULT_OPSET });
    attachDeferred(model, lazy.deferred, value);
    expect(produced).toEqual([]);
    expect(model.graph.inputs.map((i) => i.name)).toEqual(["pixel_values"]);

    const path = join(dir, "tiny.infer.onnx");
    await writeModel(model, path, { externalData: true, threshold: 1024 });
    expect(produced.slice().sort()).toEqual(lazy.deferred.map((s) => s.name).sort());

    const eager = lowerInfer({ ir, backbone: ir.backbone, bag, value: (s) => initTensor(s, seed) });
    const pixels = {
      dtype: "float32" as const,
      dims: [2, 3, 32, 32],
      data: Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => ((i * 37) % 101) / 101),
    };
    const a = await runModel(path, { pixel_values: pixels });
    const b = await runModel(toOnnx(eager.graph, { opset: DEFAULT_OPSET }), { pixel_values: pixels });
    expect(Array.from(a.cls!.data as Float32Array)).toEqual(Array.from(b.cls!.data as Float32Array));
  });

  it("compileModelGraphs reports the weights' bytes without producing them", () => {
    const ir = tiny();
    const compiled = compileModelGraphs(ir, { emit: ["infer"], opset: DEFAULT_OPSET });
    const g = compiled.graphs[0]!;
    expect(g.bytes).toBe(4 * g.paramCount + constantBytes(g.model));
    // the manifest lists pixel_values only: the parameters are initializers, not inputs
    expect(g.entry.inputs.map((i) => i.name)).toEqual(["pixel_values"]);
  });
});

function constantBytes(m: ReturnType<typeof toOnnx>): number {
  return m.graph.initializers
    .filter((t) => t.name.startsWith("_"))
    .reduce((a, t) => a + t.data.byteLength, 0);
}
