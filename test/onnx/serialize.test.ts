import { describe, expect, it } from "vitest";
import { InternalError } from "../../src/diagnostics/diagnostic.js";
import type { OnnxModel } from "../../src/onnx/model.js";
import { onnx } from "../../src/onnx/proto.js";
import { decodeModel, encodeModel } from "../../src/onnx/serialize.js";
import { irVersionFor } from "../../src/onnx/to-proto.js";
import { loopModel, softmaxModel } from "./fixtures.js";

/** Exercises every dtype, attribute kind and optional field the plain model has. */
function kitchenSink(): OnnxModel {
  return {
    opset: 17,
    extraOpsets: { "com.microsoft": 1 },
    producerName: "vfmc-test",
    producerVersion: "0.1.0",
    docString: "all the things",
    metadata: { spec: "dinov2.vfm", model: "dinov2_vits14" },
    graph: {
      name: "g",
      docString: "graph doc",
      inputs: [{ name: "x", dtype: "float32", shape: ["N", 3, 224, 224], docString: "image" }],
      outputs: [{ name: "y", dtype: "float16", shape: ["N", "T", 384] }],
      valueInfo: [{ name: "mid", dtype: "float64", shape: [] }],
      initializers: [
        { name: "f32", dtype: "float32", dims: [2, 2], data: new Float32Array([1, -2.5, 3e-8, Infinity]) },
        { name: "f16", dtype: "float16", dims: [3], data: new Uint16Array([0x3c00, 0xc000, 0x7c00]) },
        { name: "f64", dtype: "float64", dims: [2], data: new Float64Array([Math.PI, -0]) },
        {
          name: "i64",
          dtype: "int64",
          dims: [3],
          data: new BigInt64Array([-1n, 2n ** 40n, 0n]),
          docString: "ids",
        },
        { name: "i32", dtype: "int32", dims: [1], data: new Int32Array([-7]) },
        { name: "i8", dtype: "int8", dims: [2], data: new Int8Array([-128, 127]) },
        { name: "u8", dtype: "uint8", dims: [2], data: new Uint8Array([0, 255]) },
        { name: "b", dtype: "bool", dims: [3], data: new Uint8Array([1, 0, 1]) },
        { name: "scalar", dtype: "float32", dims: [], data: new Float32Array([0.5]) },
        { name: "empty", dtype: "float32", dims: [0, 4], data: new Float32Array(0) },
      ],
      nodes: [
        {
          opType: "Custom",
          domain: "com.microsoft",
          name: "n0",
          docString: "node doc",
          inputs: ["x", "", "f32"],
          outputs: ["mid"],
          attrs: {
            i: { type: "int", i: -3 },
            big: { type: "int", i: 2 ** 40 },
            f: { type: "float", f: 0.25 },
            is: { type: "ints", ints: [0, -1, 5] },
            fs: { type: "floats", floats: [1.5, -0.125] },
            s: { type: "string", s: "bicubic ✓" },
            ss: { type: "strings", strings: ["a", ""] },
            t: { type: "tensor", t: { name: "", dtype: "int64", dims: [1], data: new BigInt64Array([4n]) } },
            g: { type: "graph", g: softmaxModel().graph },
          },
        },
      ],
    },
  };
}

describe("encodeModel / decodeModel", () => {
  it.each([
    ["kitchen sink", kitchenSink],
    ["softmax", softmaxModel],
    ["loop", loopModel],
  ])("round-trips %s exactly", (_, make) => {
    const m = make();
    expect(decodeModel(encodeModel(m))).toEqual({ producerName: "vfmc", ...m });
  });

  it("writes the IR version and opset imports the runtime expects", () => {
    const p = onnx.ModelProto.decode(encodeModel(kitchenSink()));
    expect(Number(p.irVersion)).toBe(8);
    expect(p.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ["", 17],
      ["com.microsoft", 1],
    ]);
    expect(p.graph?.initializer?.[0]?.rawData?.length).toBe(16);
  });

  it("maps opsets to the lowest IR version that carries them", () => {
    expect([17, 18, 19, 21, 23, 24, 25, 26].map(irVersionFor)).toEqual([8, 8, 9, 10, 11, 12, 13, 13]);
  });

  it("refuses a tensor whose data does not match its dims or dtype (a vfmc bug)", () => {
    const m = softmaxModel();
    const bad = {
      ...m,
      graph: { ...m.graph, initializers: [{ ...m.graph.initializers[0]!, dims: [5, 4] }] },
    };
    expect(() => encodeModel(bad)).toThrow(InternalError);
    const wrongType = {
      ...m,
      graph: {
        ...m.graph,
        initializers: [{ name: "W", dtype: "float64" as const, dims: [2], data: new Float32Array(2) }],
      },
    };
    expect(() => encodeModel(wrongType)).toThrow(/float64 but its data is a Float32Array/);
  });

  it("reads tensors stored in typed fields by other tools", () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 17 }],
      graph: {
        name: "foreign",
        initializer: [
          { name: "a", dataType: onnx.TensorProto.DataType.FLOAT, dims: [2], floatData: [1.5, 2] },
          { name: "b", dataType: onnx.TensorProto.DataType.INT64, dims: [1], int64Data: [9] },
        ],
      },
    }).finish();
    const g = decodeModel(bytes).graph;
    expect(g.initializers.map((t) => [...t.data])).toEqual([[1.5, 2], [9n]]);
  });
});
