// A plain, dependency-free description of an ONNX model. The graph emitter (src/graph) builds these objects and
// never sees protobuf types; src/onnx/serialize.ts is the only place that turns them into ModelProto bytes.

/** Element types vfmc emits. bfloat16/fp8 are absent on purpose: onnxruntime-node cannot pass them across the
 * JS boundary, so a graph using them could not be fed or read. */
export type OnnxDtype = "float32" | "float16" | "float64" | "int64" | "int32" | "int8" | "uint8" | "bool";

/** Raw element storage. float16 is carried as its IEEE bit patterns in a Uint16Array; bool as 0/1 bytes in a
 * Uint8Array. */
export type TensorData =
  Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

/** A constant tensor (initializer or `tensor` attribute). `data.length` must equal the product of `dims`. */
export interface OnnxTensor {
  name: string;
  dtype: OnnxDtype;
  dims: readonly number[];
  data: TensorData;
  docString?: string;
}

/** A typed graph input/output/intermediate. Symbolic dimensions are strings (`"N"`). */
export interface OnnxValueInfo {
  name: string;
  dtype: OnnxDtype;
  shape: readonly (number | string)[];
  docString?: string;
}

export type OnnxAttr =
  | { type: "int"; i: number }
  | { type: "float"; f: number }
  | { type: "ints"; ints: readonly number[] }
  | { type: "floats"; floats: readonly number[] }
  | { type: "string"; s: string }
  | { type: "strings"; strings: readonly string[] }
  | { type: "tensor"; t: OnnxTensor }
  | { type: "graph"; g: OnnxGraph };

/** One operator application. An empty string in `inputs` marks an omitted optional input (ONNX convention). */
export interface OnnxNode {
  opType: string;
  /** Operator domain; absent or "" means the default ai.onnx domain. */
  domain?: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs?: Readonly<Record<string, OnnxAttr>>;
  name?: string;
  docString?: string;
}

/** A graph; also used for `Loop`/`If`/`Scan` bodies through `graph` attributes. */
export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  initializers: readonly OnnxTensor[];
  valueInfo?: readonly OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModel {
  graph: OnnxGraph;
  /** ai.onnx opset version; vfmc targets 17 (onnxruntime-node 1.30 accepts 17…26). */
  opset: number;
  /** Further operator sets by domain, e.g. `{ "com.microsoft": 1 }`. */
  extraOpsets?: Readonly<Record<string, number>>;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

/** The opset vfmc emits unless a caller asks for another. */
export const DEFAULT_OPSET = 17;

/** Bytes per element as stored in `raw_data` and in external-data files (bool is one byte, as ONNX stores it). */
export const DTYPE_BYTES: Readonly<Record<OnnxDtype, number>> = {
  float32: 4,
  float16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** Number of elements a shape holds (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}
