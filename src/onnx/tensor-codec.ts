// Conversions between the plain model's tensors/types and their protobuf shapes. Every tensor is stored as
// little-endian `raw_data` (what ONNX's own tools write for weights); typed arrays on the hosts vfmc supports
// (x86-64, arm64) are little-endian already, so the bytes are a view, not a copy.
import { InternalError } from "../diagnostics/diagnostic.js";
import { DTYPE_BYTES, elementCount, type OnnxDtype, type OnnxTensor, type TensorData } from "./model.js";
import type { onnx as P } from "onnx-proto";
import { onnx } from "./proto.js";

const DT = onnx.TensorProto.DataType;

const TO_PROTO: Readonly<Record<OnnxDtype, number>> = {
  float32: DT.FLOAT,
  float16: DT.FLOAT16,
  float64: DT.DOUBLE,
  int64: DT.INT64,
  int32: DT.INT32,
  int8: DT.INT8,
  uint8: DT.UINT8,
  bool: DT.BOOL,
};

const FROM_PROTO = new Map<number, OnnxDtype>(Object.entries(TO_PROTO).map(([k, v]) => [v, k as OnnxDtype]));

export function dtypeToProto(dtype: OnnxDtype): number {
  return TO_PROTO[dtype];
}

export function dtypeFromProto(code: number): OnnxDtype {
  const d = FROM_PROTO.get(code);
  if (d === undefined) throw new InternalError(`ONNX element type ${code} is not one vfmc reads`);
  return d;
}

/** protobufjs decodes int64 fields as Long objects (the `long` package is installed); dims stay far below 2^53. */
export function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === "number" ? v : v.toNumber();
}

/** The tensor's bytes as a view over its storage (no copy), after checking the element count and array type. */
export function tensorBytes(t: OnnxTensor): Uint8Array {
  const n = elementCount(t.dims);
  if (t.data.length !== n) {
    throw new InternalError(
      `tensor '${t.name}' has ${t.data.length} elements but dims [${t.dims.join(", ")}] need ${n}`,
    );
  }
  if (t.data.BYTES_PER_ELEMENT !== DTYPE_BYTES[t.dtype]) {
    throw new InternalError(`tensor '${t.name}' is ${t.dtype} but its data is a ${t.data.constructor.name}`);
  }
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Typed-array view for raw little-endian bytes of a dtype. Copies once so the result is aligned and owns its
 * memory (protobufjs hands out sub-views of the whole model buffer at arbitrary offsets). The copy is explicit
 * because `slice` on a Node Buffer returns a view, not a copy. */
export function dataFromBytes(dtype: OnnxDtype, bytes: Uint8Array): TensorData {
  const own = new Uint8Array(bytes.byteLength);
  own.set(bytes);
  const b = own.buffer;
  switch (dtype) {
    case "float32":
      return new Float32Array(b, 0, own.length / 4);
    case "float16":
      return new Uint16Array(b, 0, own.length / 2);
    case "float64":
      return new Float64Array(b, 0, own.length / 8);
    case "int64":
      return new BigInt64Array(b, 0, own.length / 8);
    case "int32":
      return new Int32Array(b, 0, own.length / 4);
    case "int8":
      return new Int8Array(b, 0, own.length);
    case "uint8":
    case "bool":
      return own;
  }
}

/** Fallback for tensors other tools wrote with typed fields instead of raw_data (vfmc itself never does). */
export function dataFromTypedFields(dtype: OnnxDtype, p: P.ITensorProto): TensorData {
  switch (dtype) {
    case "float32":
      return Float32Array.from(p.floatData ?? []);
    case "float64":
      return Float64Array.from(p.doubleData ?? []);
    case "int64":
      return BigInt64Array.from((p.int64Data ?? []).map((v) => BigInt(toNumber(v))));
    case "float16":
      return Uint16Array.from(p.int32Data ?? []);
    case "int32":
      return Int32Array.from(p.int32Data ?? []);
    case "int8":
      return Int8Array.from(p.int32Data ?? []);
    case "uint8":
    case "bool":
      return Uint8Array.from(p.int32Data ?? []);
  }
}

/** Builds a TensorProto with inline raw_data. */
export function tensorToProto(t: OnnxTensor): P.ITensorProto {
  return {
    name: t.name,
    dataType: dtypeToProto(t.dtype),
    dims: [...t.dims],
    rawData: tensorBytes(t),
    ...(t.docString ? { docString: t.docString } : {}),
  };
}
