// Test harness: run a plain ONNX model (or a model file) on onnxruntime-node's CPU provider and get plain tensors
// back. Tests of the emitter, autodiff and lowering compare these results against hand-computed numbers.
import * as ort from "onnxruntime-node";
import type { OnnxDtype, OnnxModel, TensorData } from "../../src/onnx/model.js";
import { encodeModel } from "../../src/onnx/serialize.js";

/** A tensor crossing the session boundary. float16 is Uint16Array bits; bool is a Uint8Array of 0/1. */
export interface HostTensor {
  dtype: OnnxDtype;
  dims: readonly number[];
  data: TensorData;
}

export interface RunOptions {
  /** 'disabled' keeps ORT from fusing/rewriting ops, for tests that check exact numerics of what we emitted. */
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  /** Reuse one session per model object and options (default true); turn off for a model mutated in place. */
  cache?: boolean;
  /** Output names to fetch; default all graph outputs. */
  outputs?: readonly string[];
}

// Keyed by the model object so repeated runs (property tests) skip the encode + session build; a WeakMap lets
// sessions go once the test drops its model.
const sessions = new WeakMap<OnnxModel, Map<string, Promise<ort.InferenceSession>>>();

function sessionOptions(opts: RunOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ["cpu"],
    graphOptimizationLevel: opts.graphOptimizationLevel ?? "all",
    // One thread: the CI box has two cores shared by parallel test files, and results stay reproducible.
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  };
}

function session(model: OnnxModel | string, opts: RunOptions): Promise<ort.InferenceSession> {
  const so = sessionOptions(opts);
  // A path is loaded by ORT itself so that external data resolves relative to the model file.
  if (typeof model === "string") return ort.InferenceSession.create(model, so);
  if (opts.cache === false) return ort.InferenceSession.create(encodeModel(model), so);
  let perModel = sessions.get(model);
  if (!perModel) sessions.set(model, (perModel = new Map()));
  const key = so.graphOptimizationLevel ?? "all";
  let s = perModel.get(key);
  if (!s) {
    s = ort.InferenceSession.create(encodeModel(model), so);
    perModel.set(key, s);
  }
  return s;
}

export async function runModel(
  model: OnnxModel | string,
  feeds: Readonly<Record<string, HostTensor>>,
  opts: RunOptions = {},
): Promise<Record<string, HostTensor>> {
  const s = await session(model, opts);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(t);
  const results = opts.outputs ? await s.run(ortFeeds, [...opts.outputs]) : await s.run(ortFeeds);
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(results)) out[name] = fromOrt(t);
  if (typeof model === "string" || opts.cache === false) await s.release();
  return out;
}

function toOrt(t: HostTensor): ort.Tensor {
  // ORT's Tensor takes bool as Uint8Array and float16 as Uint16Array bits, matching HostTensor's storage.
  return new ort.Tensor(t.dtype, t.data as never, [...t.dims]);
}

function fromOrt(t: ort.Tensor): HostTensor {
  const dtype = t.type as OnnxDtype;
  const data = t.data;
  const ok =
    (dtype === "float32" && data instanceof Float32Array) ||
    (dtype === "float64" && data instanceof Float64Array) ||
    (dtype === "int64" && data instanceof BigInt64Array) ||
    (dtype === "int32" && data instanceof Int32Array) ||
    (dtype === "int8" && data instanceof Int8Array) ||
    ((dtype === "uint8" || dtype === "bool") && data instanceof Uint8Array) ||
    (dtype === "float16" && data instanceof Uint16Array);
  if (!ok)
    throw new Error(
      `onnxruntime returned ${t.type} as ${data?.constructor?.name}; the harness cannot read it`,
    );
  return { dtype, dims: [...t.dims], data: data as TensorData };
}
