// Emission: doc strings, symbolic batch dims, opset-dependent forms, output naming, optional outputs.
import { describe, expect, test } from "vitest";
import { GraphBuilder } from "../../src/graph/builder.js";
import { toOnnx } from "../../src/graph/emit.js";
import { attention } from "../../src/graph/composite/attention.js";
import { linear } from "../../src/graph/composite/linear.js";
import { runModel } from "../harness/ort.js";
import { expectValidOnnx } from "../harness/onnx-checker.js";

describe("toOnnx", () => {
  test("node doc strings carry the spec source; parameters become initializers", (ctx) => {
    const g = new GraphBuilder("doc");
    const x = g.input("x", "float32", [2, 3]);
    const w = g.withSource("spec.vfm:4:7 backbone.dim", () =>
      g.param("w", [3, 3], new Float32Array(9).fill(0.5)),
    );
    const y = g.withSource("spec.vfm:9:2 heads.dino", () => g.matmul(x, w));
    g.output("y", y);
    const m = toOnnx(g);
    expect(m.opset).toBe(17);
    expect(m.graph.nodes.map((n) => n.docString)).toEqual(["spec.vfm:9:2 heads.dino"]);
    expect(m.graph.initializers.map((t) => [t.name, t.docString])).toEqual([
      ["w", "spec.vfm:4:7 backbone.dim"],
    ]);
    expect(m.graph.outputs).toEqual([
      { name: "y", dtype: "float32", shape: [2, 3], docString: "spec.vfm:9:2 heads.dino" },
    ]);
    expectValidOnnx(m, ctx);
  });

  test("nodes no output depends on, and constants only they read, are not emitted", (ctx) => {
    const g = new GraphBuilder("dead");
    const x = g.input("x", "float32", [2, 3]);
    g.add(g.transpose(x), g.constant([1, 2], "float32", [2]));
    g.output("y", g.exp(x));
    const m = toOnnx(g);
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(["Exp"]);
    expect(m.graph.initializers).toEqual([]);
    expectValidOnnx(m, ctx);
  });

  test("a symbolic batch dim runs at several batch sizes", async (ctx) => {
    const g = new GraphBuilder("batch");
    const x = g.input("x", "float32", ["N", 3, 4]);
    const w = g.param("w", [4, 2], new Float32Array([1, 0, 0, 1, 1, 1, 2, -1]));
    const y = g.reshape(g.matmul(g.reshape(x, [-1, 4]), w), ["N", 3, 2]);
    g.output("y", g.reduceSum(y, [1]));
    const m = toOnnx(g);
    expect(m.graph.outputs[0]!.shape).toEqual(["N", 2]);
    expectValidOnnx(m, ctx);
    for (const n of [1, 5]) {
      const data = Float32Array.from({ length: n * 12 }, (_, i) => i % 7);
      const out = await runModel(m, { x: { dtype: "float32", dims: [n, 3, 4], data } });
      expect(out["y"]!.dims).toEqual([n, 2]);
      const want: number[] = [];
      for (let b = 0; b < n; b++)
        for (const col of [0, 1]) {
          let s = 0;
          for (let t = 0; t < 3; t++)
            for (let k = 0; k < 4; k++)
              s += data[b * 12 + t * 4 + k]! * [1, 0, 0, 1, 1, 1, 2, -1][k * 2 + col]!;
          want.push(s);
        }
      expect(Array.from(out["y"]!.data as Float32Array)).toEqual(want);
    }
  });

  test("reductions emit axes as attributes before opset 18 and as inputs from 18; results agree", async () => {
    const g = new GraphBuilder("reduce");
    const x = g.input("x", "float32", [2, 3]);
    g.output("mean", g.reduceMean(x, [1]));
    g.output("max", g.reduceMax(x, [0], true));
    g.output("l2", g.reduceL2(x, [1]));
    g.output("sum", g.reduceSum(x, [0]));
    const feeds = {
      x: { dtype: "float32" as const, dims: [2, 3], data: new Float32Array([1, -2, 3, 4, 5, -6]) },
    };
    const m17 = toOnnx(g, { opset: 17 });
    const m18 = toOnnx(g, { opset: 18 });
    expect(m17.graph.nodes.find((n) => n.opType === "ReduceMean")!.attrs!["axes"]).toEqual({
      type: "ints",
      ints: [1],
    });
    expect(m18.graph.nodes.find((n) => n.opType === "ReduceMean")!.inputs).toHaveLength(2);
    expect(await runModel(m18, feeds)).toEqual(await runModel(m17, feeds));
  });

  test("outputs that are inputs or repeated values get Identity nodes", async () => {
    const g = new GraphBuilder("names");
    const x = g.input("x", "float32", [2]);
    const y = g.exp(x);
    g.output("a", y);
    g.output("b", y);
    g.output("c", x);
    const out = await runModel(toOnnx(g), {
      x: { dtype: "float32", dims: [2], data: new Float32Array([0, 1]) },
    });
    expect(out["a"]!.data).toEqual(out["b"]!.data);
    expect(Array.from(out["c"]!.data as Float32Array)).toEqual([0, 1]);
  });

  test("LayerNormalization's unused Mean/InvStdDev outputs are omitted", () => {
    const g = new GraphBuilder("ln");
    const x = g.input("x", "float32", [2, 4]);
    g.output("y", g.layerNorm(x, g.param("w", [4], new Float32Array(4).fill(1))));
    const ln = toOnnx(g).graph.nodes.find((n) => n.opType === "LayerNormalization")!;
    expect(ln.outputs).toEqual(["y"]);
  });
});

describe("a symbolic-batch transformer block", () => {
  test("runs at batch 1 and 3 with per-sample results independent of the batch", async (ctx) => {
    const g = new GraphBuilder("block");
    const x = g.input("x", "float32", ["N", 5, 8]);
    const p = (name: string, shape: number[]) =>
      g.param(
        name,
        shape,
        Float32Array.from(
          { length: shape.reduce((a, b) => a * b) },
          (_, i) => Math.sin(i + name.length) * 0.3,
        ),
      );
    const h = g.layerNorm(x, p("norm.weight", [8]), p("norm.bias", [8]), -1, 1e-6);
    const [q, k, v] = g.split(linear(g, h, p("qkv.weight", [24, 8]), p("qkv.bias", [24])), [8, 8, 8], -1);
    const y = g.add(x, g.gelu(attention(g, q!, k!, v!, 2)));
    g.output("y", y);
    g.output("cls", g.reshape(g.slice(y, [0], [1], [1]), ["N", 8]));
    const m = toOnnx(g);
    expectValidOnnx(m, ctx);
    const sample = Float32Array.from({ length: 40 }, (_, i) => Math.cos(i));
    const batch3 = new Float32Array(120);
    batch3.set(sample, 40);
    const one = await runModel(m, { x: { dtype: "float32", dims: [1, 5, 8], data: sample } });
    const three = await runModel(m, { x: { dtype: "float32", dims: [3, 5, 8], data: batch3 } });
    expect(three["cls"]!.dims).toEqual([3, 8]);
    const mid = Array.from((three["y"]!.data as Float32Array).subarray(40, 80));
    Array.from(one["y"]!.data as Float32Array).forEach((v, i) => expect(mid[i]).toBeCloseTo(v, 5));
  });
});
