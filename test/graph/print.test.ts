// Canonical text and summaries for golden files.
import { describe, expect, test } from "vitest";
import { GraphBuilder } from "../../src/graph/builder.js";
import { printGraph, formatNumber } from "../../src/graph/print.js";
import { formatSummary, summarize } from "../../src/graph/summary.js";

function tiny(): GraphBuilder {
  const g = new GraphBuilder("tiny");
  const x = g.input("x", "float32", ["N", 4]);
  const w = g.param("fc.weight", [2, 4], new Float32Array(8).fill(0.1));
  const b = g.param("fc.bias", [2]);
  const y = g.withSource("tiny.vfm:3:5 head", () => g.add(g.matmul(x, g.transpose(w, [1, 0])), b));
  const [lo, hi] = g.split(g.mul(y, 0.1), [1, 1], 1);
  g.output("y", g.sub(hi!, lo!));
  return g;
}

describe("printGraph", () => {
  test("typed SSA with renumbered values, named leaves, attributes and sources", () => {
    expect(printGraph(tiny())).toBe(
      [
        "graph tiny {",
        "  input %x:f32[N,4]",
        "  param %fc.weight:f32[2,4]",
        "  param %fc.bias:f32[2] (fed)",
        "  const %c0:f32[] = 0.1",
        "  %0:f32[4,2] = Transpose(%fc.weight) {perm=[1,0]}  // tiny.vfm:3:5 head",
        "  %1:f32[N,2] = MatMul(%x, %0)  // tiny.vfm:3:5 head",
        "  %2:f32[N,2] = Add(%1, %fc.bias)  // tiny.vfm:3:5 head",
        "  %3:f32[N,2] = Mul(%2, %c0)",
        "  %4:f32[N,1], %5:f32[N,1] = Split(%3) {axis=1, sizes=[1,1]}",
        "  %6:f32[N,1] = Sub(%5, %4)",
        "  output y = %6",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("float32 numbers print in shortest round-trip form", () => {
    expect(formatNumber(Math.fround(0.1), "float32")).toBe("0.1");
    expect(formatNumber(Math.fround(1e-6), "float32")).toBe("0.000001");
    expect(formatNumber(0.1 + 0.2, "float64")).toBe("0.30000000000000004");
  });
});

describe("summary", () => {
  test("I/O signature, parameters, node count and op histogram", () => {
    expect(formatSummary(summarize(tiny()))).toBe(
      [
        "graph tiny",
        "inputs:",
        "  x: f32[N,4]",
        "outputs:",
        "  y: f32[N,1]",
        "parameters: 2 tensors, 10 values, 40 bytes",
        "nodes: 6",
        "ops:",
        "  Add 1",
        "  MatMul 1",
        "  Mul 1",
        "  Split 1",
        "  Sub 1",
        "  Transpose 1",
        "",
      ].join("\n"),
    );
  });
});
