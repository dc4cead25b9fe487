// The matmul peak probe for onnxruntime: X ← X·W repeated `loop` times inside one ONNX Loop, so one run() does
// `loop` square fp32 products with no per-call overhead between them (the same way the PyTorch probe chains
// torch.mm). W is scaled by 1/√n so the rows keep their norm and nothing overflows or turns denormal.
import type { OnnxModel } from "../src/onnx/model.js";

export function matmulLoopModel(n: number, loop: number): OnnxModel {
  const f = (name: string) => ({ name, dtype: "float32" as const, shape: [n, n] });
  const body = {
    name: "body",
    inputs: [
      { name: "i", dtype: "int64" as const, shape: [] },
      { name: "cond_in", dtype: "bool" as const, shape: [] },
      f("x_in"),
    ],
    outputs: [{ name: "cond_out", dtype: "bool" as const, shape: [] }, f("x_out")],
    nodes: [
      { opType: "Identity", inputs: ["cond_in"], outputs: ["cond_out"] },
      // W comes from the outer scope, as a weight does in a real graph
      { opType: "MatMul", inputs: ["x_in", "W"], outputs: ["x_out"] },
    ],
    initializers: [],
  };
  return {
    opset: 17,
    producerName: "vfmc-bench",
    graph: {
      name: `matmul_loop_${n}`,
      inputs: [f("X"), f("W")],
      outputs: [f("Y")],
      initializers: [
        { name: "trip", dtype: "int64", dims: [], data: BigInt64Array.of(BigInt(loop)) },
        { name: "go", dtype: "bool", dims: [], data: Uint8Array.of(1) },
      ],
      nodes: [
        {
          opType: "Loop",
          inputs: ["trip", "go", "X"],
          outputs: ["Y"],
          attrs: { body: { type: "graph", g: body } },
        },
      ],
    },
  };
}
