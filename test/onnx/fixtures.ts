// Small hand-built models shared by the ONNX tests.
import type { OnnxModel, OnnxTensor } from "../../src/onnx/model.js";

export function f32(name: string, dims: number[], fill: (i: number) => number): OnnxTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { name, dtype: "float32", dims, data: Float32Array.from({ length: n }, (_, i) => fill(i)) };
}

/** Y = Softmax(X·W + B) over the last axis, with a symbolic batch dimension. */
export function softmaxModel(): OnnxModel {
  return {
    opset: 17,
    graph: {
      name: "mm_add_softmax",
      nodes: [
        { opType: "MatMul", inputs: ["X", "W"], outputs: ["XW"], name: "mm" },
        { opType: "Add", inputs: ["XW", "B"], outputs: ["Z"] },
        { opType: "Softmax", inputs: ["Z"], outputs: ["Y"], attrs: { axis: { type: "int", i: -1 } } },
      ],
      inputs: [{ name: "X", dtype: "float32", shape: ["N", 3] }],
      outputs: [{ name: "Y", dtype: "float32", shape: ["N", 4] }],
      initializers: [f32("W", [3, 4], (i) => (i % 5) * 0.25 - 0.5), f32("B", [4], (i) => i * 0.1)],
    },
  };
}

/** Loop M times: v ← 2·v + C (C from the outer scope); outputs the final v and every iterate (scan output). */
export function loopModel(): OnnxModel {
  return {
    opset: 17,
    graph: {
      name: "doubling_loop",
      nodes: [
        {
          opType: "Loop",
          inputs: ["M", "", "V0"],
          outputs: ["V", "Vs"],
          attrs: {
            body: {
              type: "graph",
              g: {
                name: "body",
                inputs: [
                  { name: "iter", dtype: "int64", shape: [] },
                  { name: "cond_in", dtype: "bool", shape: [] },
                  { name: "v_in", dtype: "float32", shape: [2] },
                ],
                nodes: [
                  { opType: "Identity", inputs: ["cond_in"], outputs: ["cond_out"] },
                  { opType: "Mul", inputs: ["v_in", "Two"], outputs: ["v2"] },
                  { opType: "Add", inputs: ["v2", "C"], outputs: ["v_out"] },
                  { opType: "Identity", inputs: ["v_out"], outputs: ["scan_out"] },
                ],
                outputs: [
                  { name: "cond_out", dtype: "bool", shape: [] },
                  { name: "v_out", dtype: "float32", shape: [2] },
                  { name: "scan_out", dtype: "float32", shape: [2] },
                ],
                initializers: [f32("Two", [], () => 2)],
              },
            },
          },
        },
      ],
      inputs: [
        { name: "M", dtype: "int64", shape: [] },
        { name: "V0", dtype: "float32", shape: [2] },
      ],
      outputs: [
        { name: "V", dtype: "float32", shape: [2] },
        { name: "Vs", dtype: "float32", shape: ["M", 2] },
      ],
      initializers: [f32("C", [2], (i) => i + 1)],
    },
  };
}

/** A chain of dense layers whose weights are large enough to go to external data; biases stay inline. */
export function mlpModel(layers: number, width: number): OnnxModel {
  const nodes = [];
  const initializers: OnnxTensor[] = [];
  let x = "X";
  for (let l = 0; l < layers; l++) {
    initializers.push(f32(`W${l}`, [width, width], (i) => Math.sin(i * 0.37 + l) / Math.sqrt(width)));
    initializers.push(f32(`B${l}`, [width], (i) => Math.cos(i + l) * 0.01));
    nodes.push({ opType: "MatMul", inputs: [x, `W${l}`], outputs: [`h${l}`] });
    nodes.push({ opType: "Add", inputs: [`h${l}`, `B${l}`], outputs: [`a${l}`] });
    nodes.push({ opType: "Tanh", inputs: [`a${l}`], outputs: [`y${l}`] });
    x = `y${l}`;
  }
  return {
    opset: 17,
    graph: {
      name: "mlp",
      nodes,
      inputs: [{ name: "X", dtype: "float32", shape: ["N", width] }],
      outputs: [{ name: x, dtype: "float32", shape: ["N", width] }],
      initializers,
    },
  };
}
