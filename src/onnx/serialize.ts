// ONNX model files: inline encoding, external-data writing, and the reverse.
import { closeSync, openSync, readSync, fstatSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { DiagnosticError, InternalError, makeDiagnostic } from "../diagnostics/diagnostic.js";
import { fsReason } from "../files/fs-errors.js";
import { noteInput } from "../files/inputs.js";
import { OutputSet } from "../files/output.js";
import { ExternalDataPlan, writeSlots } from "./external-data.js";
import { modelFromProto, type ExternalDataReader } from "./from-proto.js";
import type { OnnxModel } from "./model.js";
import { onnx } from "./proto.js";
import { modelToProto } from "./to-proto.js";

/** protobuf messages cannot exceed 2 GiB − 1 bytes; above it a model must use external data. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;

export interface WriteOptions {
  /** Move initializers of at least `threshold` bytes to `<model file>.data` beside the model. */
  externalData?: boolean;
  /** Bytes; default 1024 (ONNX's own default for external data). */
  threshold?: number;
}

export interface WriteResult {
  /** Size of the .onnx file. */
  bytes: number;
  /** Size of the external-data file (0 when none was written). */
  externalBytes: number;
  /** Files written, model first. */
  files: string[];
}

/** Encodes a model with every tensor inline. */
export function encodeModel(m: OnnxModel): Uint8Array {
  return encodeProto(modelToProto(m));
}

function encodeProto(p: ReturnType<typeof modelToProto>): Uint8Array {
  const writer = onnx.ModelProto.encode(p);
  // protobufjs would happily build a message no ONNX reader accepts. Its writer knows the length before
  // `finish()` allocates the output, so the check costs no multi-GB allocation.
  if (writer.len > PROTOBUF_LIMIT) {
    throw new InternalError(
      `model is ${writer.len} bytes inline, over protobuf's 2 GiB; write it with external data`,
    );
  }
  return writer.finish();
}

export function decodeModel(bytes: Uint8Array, readExternal?: ExternalDataReader): OnnxModel {
  return modelFromProto(onnx.ModelProto.decode(bytes), readExternal);
}

/** The data file name for a model path, `vit.infer.onnx` → `vit.infer.onnx.data` (ONNX's usual naming, and the
 * one docs/graph-contract.md promises). */
export function externalDataName(modelPath: string): string {
  return basename(modelPath) + ".data";
}

/**
 * Writes a model file (and with `externalData` its `.data` file) through the output helper: both are staged in
 * `into` (data first) and renamed into place when the set is committed, so a reader never sees a model whose
 * weights are missing or half written. Without `into` the model is committed at once; with it, the caller commits
 * it together with the files that belong to it (compile: every graph, then the manifest).
 */
export async function writeModel(
  m: OnnxModel,
  path: string,
  opts: WriteOptions = {},
  into?: OutputSet,
): Promise<WriteResult> {
  const set = into ?? new OutputSet();
  try {
    const modelPath = resolve(path);
    const dataPath = join(dirname(modelPath), externalDataName(modelPath));
    const plan = opts.externalData
      ? new ExternalDataPlan(basename(dataPath), opts.threshold ?? 1024)
      : undefined;
    const bytes = encodeProto(modelToProto(m, plan?.place));
    const failure = { failure: "ModelWriteFailed" } as const;
    const external = plan !== undefined && plan.slots.length > 0;
    if (external) await set.stage(dataPath, (file) => writeSlots(file, plan.slots, plan.size), failure);
    await set.stage(modelPath, bytes, failure);
    if (!into) await set.commit();
    return {
      bytes: bytes.byteLength,
      externalBytes: external ? plan.size : 0,
      files: external ? [modelPath, dataPath] : [modelPath],
    };
  } finally {
    if (!into) await set.discard();
  }
}

/** Reads a model file, loading external-data tensors from files beside it. */
export async function readModel(path: string): Promise<OnnxModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
    noteInput(path);
  } catch (e) {
    throw new DiagnosticError([makeDiagnostic("ModelReadFailed", undefined, [path, fsReason(e)])]);
  }
  const dir = dirname(resolve(path));
  const fds = new Map<string, number>();
  const readExternal: ExternalDataReader = (location, offset, length) => {
    // ONNX forbids locations that leave the model's folder; ORT enforces it too.
    const full = resolve(dir, location);
    if (dirname(full) !== dir && !full.startsWith(dir + "/")) {
      throw new Error(`external data '${location}' escapes the model's folder`);
    }
    let fd = fds.get(full);
    if (fd === undefined) fds.set(full, (fd = openSync(full, "r")));
    const n = length >= 0 ? length : fstatSync(fd).size - offset;
    const out = new Uint8Array(n);
    for (let done = 0; done < n;) {
      const got = readSync(fd, out, done, n - done, offset + done);
      if (got === 0) throw new Error(`external data '${location}' ends before offset ${offset + n}`);
      done += got;
    }
    return out;
  };
  try {
    return decodeModel(bytes, readExternal);
  } catch (e) {
    // Whatever is wrong here is wrong with the file (truncated, foreign, missing .data), not with vfmc.
    throw new DiagnosticError([makeDiagnostic("ModelReadFailed", undefined, [path, errorText(e)])]);
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
