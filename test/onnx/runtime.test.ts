// Hand-built models run in onnxruntime give the numbers computed here by hand, and pass the ONNX checker.
import { describe, expect, it } from "vitest";
import type { OnnxModel } from "../../src/onnx/model.js";
import { checkOnnx, expectValidOnnx } from "../harness/onnx-checker.js";
import { runModel } from "../harness/ort.js";
import { loopModel, softmaxModel } from "./fixtures.js";

describe("softmax(X·W + B)", () => {
  const m = softmaxModel();
  const X = new Float32Array([1, 2, 3, -1, 0, 0.5]);

  function expected(): number[] {
    const W = m.graph.initializers[0]!.data as Float32Array;
    const B = m.graph.initializers[1]!.data as Float32Array;
    const out: number[] = [];
    for (let r = 0; r < 2; r++) {
      const z = [0, 1, 2, 3].map(
        (j) => B[j]! + [0, 1, 2].reduce((s, k) => s + X[r * 3 + k]! * W[k * 4 + j]!, 0),
      );
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      out.push(...e.map((v) => v / sum));
    }
    return out;
  }

  it.each(["disabled", "all"] as const)("runs with optimisation %s", async (level) => {
    const out = await runModel(
      m,
      { X: { dtype: "float32", dims: [2, 3], data: X } },
      { graphOptimizationLevel: level },
    );
    expect(out["Y"]!.dims).toEqual([2, 4]);
    const y = [...(out["Y"]!.data as Float32Array)];
    expected().forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
  });

  it("passes the ONNX checker", (ctx) => expectValidOnnx(m, ctx));
});

describe("Loop with a subgraph", () => {
  const m = loopModel();

  it("iterates v ← 2v + C with C from the outer scope", async () => {
    const out = await runModel(m, {
      M: { dtype: "int64", dims: [], data: new BigInt64Array([3n]) },
      V0: { dtype: "float32", dims: [2], data: new Float32Array([1, 0]) },
    });
    // C = [1, 2]: [1,0] → [3,2] → [7,6] → [15,14]
    expect([...(out["V"]!.data as Float32Array)]).toEqual([15, 14]);
    expect(out["Vs"]!.dims).toEqual([3, 2]);
    expect([...(out["Vs"]!.data as Float32Array)]).toEqual([3, 2, 7, 6, 15, 14]);
  });

  it("passes the ONNX checker", (ctx) => expectValidOnnx(m, ctx));
});

describe("harness dtypes", () => {
  // One graph per boundary dtype the harness must carry: float64, int64 (BigInt64Array), bool, int32, float16.
  const m: OnnxModel = {
    opset: 17,
    graph: {
      name: "dtypes",
      nodes: [
        { opType: "Mul", inputs: ["d", "d"], outputs: ["d2"] },
        { opType: "Add", inputs: ["l", "l"], outputs: ["l2"] },
        { opType: "Not", inputs: ["b"], outputs: ["nb"] },
        { opType: "Neg", inputs: ["i"], outputs: ["ni"] },
        { opType: "Identity", inputs: ["h"], outputs: ["h1"] },
      ],
      inputs: [
        { name: "d", dtype: "float64", shape: [2] },
        { name: "l", dtype: "int64", shape: [2] },
        { name: "b", dtype: "bool", shape: [3] },
        { name: "i", dtype: "int32", shape: [1] },
        { name: "h", dtype: "float16", shape: [1] },
      ],
      outputs: [
        { name: "d2", dtype: "float64", shape: [2] },
        { name: "l2", dtype: "int64", shape: [2] },
        { name: "nb", dtype: "bool", shape: [3] },
        { name: "ni", dtype: "int32", shape: [1] },
        { name: "h1", dtype: "float16", shape: [1] },
      ],
      initializers: [],
    },
  };

  it("feeds and reads float64, int64, bool, int32 and float16", async () => {
    const out = await runModel(m, {
      d: { dtype: "float64", dims: [2], data: new Float64Array([1 / 3, 1e200]) },
      l: { dtype: "int64", dims: [2], data: new BigInt64Array([2n ** 60n, -5n]) },
      b: { dtype: "bool", dims: [3], data: new Uint8Array([1, 0, 1]) },
      i: { dtype: "int32", dims: [1], data: new Int32Array([7]) },
      h: { dtype: "float16", dims: [1], data: new Uint16Array([0x3c00]) },
    });
    expect(out["d2"]).toEqual({ dtype: "float64", dims: [2], data: new Float64Array([1 / 9, Infinity]) });
    expect(out["l2"]).toEqual({ dtype: "int64", dims: [2], data: new BigInt64Array([2n ** 61n, -10n]) });
    expect(out["nb"]).toEqual({ dtype: "bool", dims: [3], data: new Uint8Array([0, 1, 0]) });
    expect(out["ni"]).toEqual({ dtype: "int32", dims: [1], data: new Int32Array([-7]) });
    expect(out["h1"]).toEqual({ dtype: "float16", dims: [1], data: new Uint16Array([0x3c00]) });
  });
});

describe("checkOnnx", () => {
  it("rejects a node that reads an undefined value", (ctx) => {
    const m = softmaxModel();
    const broken: OnnxModel = {
      ...m,
      graph: { ...m.graph, nodes: [{ opType: "Relu", inputs: ["nowhere"], outputs: ["Y"] }] },
    };
    const r = checkOnnx(broken);
    if (r.skipped) ctx.skip(r.skipped);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/nowhere/);
  });

  it("rejects a shape mismatch under full_check (strict shape inference)", (ctx) => {
    const m = softmaxModel();
    const W = m.graph.initializers[0]!;
    const broken: OnnxModel = {
      ...m,
      graph: { ...m.graph, initializers: [{ ...W, dims: [4, 3] }, m.graph.initializers[1]!] },
    };
    const r = checkOnnx(broken);
    if (r.skipped) ctx.skip(r.skipped);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/Incompatible dimensions for matrix multiplication/);
  });
});
