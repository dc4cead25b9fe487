// The reverse walk itself: symbolic zeros, determinism, stop-gradient, integer paths and the cotangent check.
import { describe, expect, test } from "vitest";
import { GraphBuilder } from "../../src/graph/builder.js";
import { grad } from "../../src/graph/autodiff.js";
import { defineOp, sameAs } from "../../src/graph/op.js";
import { printGraph } from "../../src/graph/print.js";
import { toOnnx } from "../../src/graph/emit.js";
import { InternalError } from "../../src/diagnostics/diagnostic.js";
import { runModel } from "../harness/ort.js";
import { linear } from "../../src/graph/composite/linear.js";

describe("grad", () => {
  test("creates no nodes for branches that do not reach the loss or do not depend on wrt", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [3]);
    const y = g.input("y", "float32", [3]);
    const unused = g.exp(x); // depends on x, never reaches the loss
    const constantSide = g.tanh(y); // reaches the loss, does not depend on x
    const loss = g.reduceSum(g.mul(g.sigmoid(x), constantSide), [0]);
    const before = g.nodes.length;
    const [dx] = grad(g, loss, [x]);
    const added = g.nodes.slice(before);
    const touched = new Set(added.flatMap((n) => n.inputs));
    expect(touched.has(unused)).toBe(false);
    expect(added.some((n) => n.op.name === "Tanh" || n.inputs.includes(y))).toBe(false);
    expect(dx!.shape).toEqual([3]);
  });

  test("building the same graph twice prints identically (deterministic accumulation)", () => {
    const build = (): string => {
      const g = new GraphBuilder("twice");
      const x = g.input("x", "float32", [2, 3]);
      const w = g.param("w", [3, 3]);
      const h = g.matmul(x, w);
      const loss = g.reduceSum(g.add(g.mul(h, h), g.mul(g.exp(h), x)), [0, 1]);
      grad(g, loss, [x, w]).forEach((d, i) => g.output(`d${i}`, d));
      return printGraph(g);
    };
    expect(build()).toBe(build());
  });

  test("a value used twice gets the sum of both contributions; stopGradient blocks one", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [4]);
    // L = Σ x² + Σ sg(x)·x  ⇒  dL/dx = 2x + x
    const loss = g.add(g.reduceSum(g.mul(x, x), [0]), g.reduceSum(g.mul(g.stopGradient(x), x), [0]));
    const [dx] = grad(g, loss, [x]);
    g.output("dx", dx!);
    const data = new Float32Array([1, -2, 0.5, 3]);
    const out = await runModel(toOnnx(g), { x: { dtype: "float32", dims: [4], data } });
    expect(Array.from(out["dx"]!.data as Float32Array)).toEqual(Array.from(data, (v) => 3 * v));
  });

  test("integer paths carry no gradient; an unreachable wrt gets zeros", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [3]);
    const z = g.input("z", "float32", [2]);
    const rounded = g.cast(g.cast(x, "int64"), "float32");
    const loss = g.reduceSum(g.mul(rounded, x), [0]);
    const [dx, dz] = grad(g, loss, [x, z]);
    g.output("dx", dx!);
    g.output("dz", dz!);
    const out = await runModel(toOnnx(g), {
      x: { dtype: "float32", dims: [3], data: new Float32Array([1.5, -2.5, 3.2]) },
      z: { dtype: "float32", dims: [2], data: new Float32Array([7, 8]) },
    });
    expect(Array.from(out["dx"]!.data as Float32Array)).toEqual([1, -2, 3]);
    expect(Array.from(out["dz"]!.data as Float32Array)).toEqual([0, 0]);
  });

  test("a linear layer's weight gradient is one product, with no weight-sized Transpose emitted", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [2, 3, 4]);
    const w = g.input("w", "float32", [5, 4]);
    const loss = g.reduceSum(g.mul(linear(g, x, w), g.input("c", "float32", [5])), [0, 1, 2]);
    const [dw] = grad(g, loss, [w]);
    g.output("dw", dw!);
    const model = toOnnx(g);
    const transposed = model.graph.nodes.filter((n) => n.opType === "Transpose").length;
    // dyᵀ, which onnxruntime folds into the product; the forward product (and its Wᵀ) is not needed for dW
    expect(transposed).toBe(1);
    // dW[n, k] = c[n] · Σ_rows x[row, k]
    const xs = Float32Array.from({ length: 24 }, (_, i) => (i % 7) - 3);
    const cs = Float32Array.from([1, -2, 0.5, 3, 0.25]);
    const out = await runModel(model, {
      x: { dtype: "float32", dims: [2, 3, 4], data: xs },
      w: { dtype: "float32", dims: [5, 4], data: new Float32Array(20).fill(0.1) },
      c: { dtype: "float32", dims: [5], data: cs },
    });
    const colSum = [0, 1, 2, 3].map((k) => xs.filter((_, i) => i % 4 === k).reduce((a, b) => a + b, 0));
    const expected = Array.from(cs).flatMap((c) => colSum.map((s) => c * s + 0));
    expect(Array.from(out["dw"]!.data as Float32Array, (v) => v + 0)).toEqual(expected);
  });

  test("a VJP that returns the wrong shape is an internal error naming the op and both types", () => {
    const Broken = defineOp({
      name: "Broken",
      inputs: ["x"],
      infer: sameAs,
      emit: (o, i, out) => o.node("Identity", i, out),
      vjp: (g, { dy }) => [g.reduceSum(dy, [0], true)],
      samples: [],
      eval: (x) => [x[0]!],
    });
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [2, 3]);
    const loss = g.reduceSum(g.apply(Broken, [x])[0]!, [0, 1]);
    expect(() => grad(g, loss, [x])).toThrow(InternalError);
    expect(() => grad(g, loss, [x])).toThrow("VJP of Broken returned f32[1,3] for input 0 of type f32[2,3]");
  });

  test("the loss must be a float scalar", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [2]);
    expect(() => grad(g, g.exp(x), [x])).toThrow(InternalError);
  });
});
