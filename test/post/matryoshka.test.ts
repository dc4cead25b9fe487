// Matryoshka levels: the truncated inference export equals the first d channels of the full one, widths are
// checked against the spec's levels, and kNN per level reads the first d channels.
import { describe, expect, it } from "vitest";
import { toOnnx } from "../../src/graph/emit.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { DiagnosticBag, DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { lowerContext } from "../../src/lower/compile.js";
import { lowerInfer } from "../../src/lower/infer.js";
import { checkTruncation, truncateFeatureOutputs, truncationWidths } from "../../src/lower/post/truncate.js";
import { formatLevels, knnPerLevel, levelWidths, truncateRows } from "../../src/runtime/post/matryoshka.js";
import { Rng } from "../../src/runtime/rng.js";
import { runModel } from "../harness/ort.js";

const ir = checkSpec("examples/franca-tiny.vfm").models[0]!;

describe("Matryoshka truncation of the inference graph", () => {
  it("exports the first d channels of every feature output", async () => {
    expect(truncationWidths(ir)).toEqual([16, 32, 64]);
    const build = () => lowerInfer(lowerContext(ir, [], new DiagnosticBag())).graph;
    const full = build();
    const cut = build();
    truncateFeatureOutputs(cut, 16, ir.backbone.dim);
    const rng = Rng.derive(0, "pixels");
    const side = ir.export.resolution;
    const pixels = Float32Array.from({ length: 2 * 3 * side * side }, () => rng.random());
    const feeds = { pixel_values: { dtype: "float32" as const, dims: [2, 3, side, side], data: pixels } };
    const a = await runModel(toOnnx(full), feeds);
    const b = await runModel(toOnnx(cut), feeds);
    for (const name of ["cls", "patch_tokens"]) {
      expect(b[name]!.dims.at(-1)).toBe(16);
      const want = truncateRows(a[name]!.data as Float32Array, 64, 16);
      expect(Array.from(b[name]!.data as Float32Array)).toEqual(Array.from(want));
    }
  });

  it("refuses a width that is not a level (VFM4050)", () => {
    expect(() => checkTruncation(ir, 32)).not.toThrow();
    let err: unknown;
    try {
      checkTruncation(ir, 24);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DiagnosticError);
    expect((err as DiagnosticError).diagnostics[0]!.code).toBe("VFM4050");
  });
});

describe("kNN per level", () => {
  it("uses only the first d channels: class signal placed beyond them is invisible to the narrow level", () => {
    const rng = Rng.derive(3, "levels");
    const dim = 8;
    const make = (n: number) => {
      const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
      const features = new Float32Array(n * dim);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < dim; j++)
          features[i * dim + j] = rng.normal() + (j >= 4 ? 3 * (labels[i]! ? 1 : -1) : 0);
      return { features, labels };
    };
    const levels = knnPerLevel(make(200), make(100), dim, [4, 8], { k: [10] });
    expect(levels.map((l) => l.width)).toEqual([4, 8]);
    expect(levels[0]!.results[0]!.top1).toBeLessThan(0.7);
    expect(levels[1]!.results[0]!.top1).toBeGreaterThan(0.95);
    expect(formatLevels(levels).split("\n")).toHaveLength(3);
    expect(levelWidths(ir)).toEqual([16, 32, 64]);
  });
});
