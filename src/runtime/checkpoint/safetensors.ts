// safetensors files (https://github.com/huggingface/safetensors, format description in its README):
//   u64 little-endian N · N bytes of UTF-8 JSON header · tensor bytes.
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (offsets relative to the first
// byte after the header) and may hold "__metadata__": a string → string map. Tensor bytes are little-endian, C order.
// Checkpoints for large models with optimiser state run to several GB, so the reader parses only the header and
// reads the byte ranges asked for, and the writer streams tensor by tensor (each tensor may be produced lazily),
// never holding the whole file in memory.
import { open, type FileHandle } from "node:fs/promises";
import { endianness } from "node:os";
import { DiagnosticError, InternalError, makeDiagnostic, type Arg } from "../../diagnostics/diagnostic.js";
import { fsReason } from "../../files/fs-errors.js";
import type { DiagKey } from "../../diagnostics/catalogue.js";
import { noteInput } from "../../files/inputs.js";
import { writeOutput, type OutputOptions } from "../../files/output.js";

export type Dtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "U8" | "BOOL";

/** F16/BF16 hold raw 16-bit patterns; BOOL holds 0/1 bytes. */
export type TensorArray = Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

export interface TensorInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** byte range relative to the start of the data section */
  readonly begin: number;
  readonly end: number;
}

export interface Tensor {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: TensorArray;
}

const DTYPES: Record<Dtype, { readonly bytes: number; readonly make: (n: number) => TensorArray }> = {
  F64: { bytes: 8, make: (n) => new Float64Array(n) },
  F32: { bytes: 4, make: (n) => new Float32Array(n) },
  F16: { bytes: 2, make: (n) => new Uint16Array(n) },
  BF16: { bytes: 2, make: (n) => new Uint16Array(n) },
  I64: { bytes: 8, make: (n) => new BigInt64Array(n) },
  I32: { bytes: 4, make: (n) => new Int32Array(n) },
  U8: { bytes: 1, make: (n) => new Uint8Array(n) },
  BOOL: { bytes: 1, make: (n) => new Uint8Array(n) },
};

const ARRAY_OF: Record<Dtype, new (n: number) => TensorArray> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

/** Same limit as the reference implementation: a larger header is a corrupt or hostile file. */
const MAX_HEADER_BYTES = 100_000_000;
/** Writes and reads are split into pieces of this size (single fs calls above 2 GiB fail). */
const IO_CHUNK = 64 * 1024 * 1024;

export function dtypeBytes(dtype: Dtype): number {
  return DTYPES[dtype].bytes;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function fail(key: DiagKey, args: readonly Arg[], hintArgs?: readonly Arg[]): never {
  throw new DiagnosticError([makeDiagnostic(key, undefined, args, hintArgs ? { hintArgs } : {})]);
}

function assertLittleEndianHost(): void {
  if (endianness() !== "LE") throw new InternalError("safetensors I/O assumes a little-endian host");
}

function bytesOf(data: TensorArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A safetensors file opened for reading: the header is parsed, tensors are read on demand. */
export class SafetensorsReader {
  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
    private readonly dataStart: number,
  ) {}

  static async open(path: string): Promise<SafetensorsReader> {
    assertLittleEndianHost();
    let file: FileHandle;
    try {
      file = await open(path, "r");
    } catch (err) {
      return fail("CheckpointUnreadable", [path, fsReason(err)]);
    }
    try {
      const st = await file.stat();
      if (!st.isFile())
        fail("InputNotAFile", [
          path,
          st.isDirectory() ? "it is a folder" : "it is a device or a pipe",
          "safetensors file",
        ]);
      noteInput(path);
      const size = st.size;
      if (size < 8) fail("CheckpointTruncated", [path, "at least 8", size]);
      const prefix = Buffer.alloc(8);
      await readFully(file, prefix, 0);
      const headerLen = prefix.readBigUInt64LE(0);
      if (headerLen > BigInt(MAX_HEADER_BYTES)) {
        fail("CheckpointBadHeader", [
          path,
          `header length ${headerLen} is implausible (limit ${MAX_HEADER_BYTES})`,
        ]);
      }
      const n = Number(headerLen);
      if (8 + n > size) fail("CheckpointTruncated", [path, `at least ${8 + n}`, size]);
      const headerBytes = Buffer.alloc(n);
      await readFully(file, headerBytes, 8);
      const { tensors, metadata, dataBytes } = parseHeader(path, headerBytes);
      if (8 + n + dataBytes > size) fail("CheckpointTruncated", [path, 8 + n + dataBytes, size]);
      return new SafetensorsReader(path, file, tensors, metadata, 8 + n);
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) {
      const names = [...this.tensors.keys()];
      const listed = names.slice(0, 8).join(", ") + (names.length > 8 ? `, … (${names.length} in all)` : "");
      fail("CheckpointMissingTensor", [this.path, name], [this.path, name, listed || "none"]);
    }
    return t;
  }

  /** Reads one tensor's bytes (and only those) into a fresh typed array. */
  async read(name: string): Promise<Tensor> {
    const t = this.info(name);
    const data = DTYPES[t.dtype].make(numel(t.shape));
    await readFully(this.file, bytesOf(data), this.dataStart + t.begin);
    return { dtype: t.dtype, shape: t.shape, data };
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

async function readFully(file: FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const len = Math.min(IO_CHUNK, into.byteLength - done);
    const { bytesRead } = await file.read(into, done, len, position + done);
    if (bytesRead === 0) throw new InternalError("file shrank while being read");
    done += bytesRead;
  }
}

function parseHeader(
  path: string,
  bytes: Uint8Array,
): { tensors: Map<string, TensorInfo>; metadata: Record<string, string>; dataBytes: number } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    return fail("CheckpointBadHeader", [path, `header is not UTF-8 JSON (${(err as Error).message})`]);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail("CheckpointBadHeader", [path, "header is not a JSON object"]);
  }
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        fail("CheckpointBadHeader", [path, "__metadata__ is not an object"]);
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail("CheckpointBadHeader", [path, `__metadata__.${k} is not a string`]);
        metadata[k] = v;
      }
      continue;
    }
    tensors.set(name, parseEntry(path, name, raw));
  }
  // The format requires the tensors to tile the data section exactly: no holes, no overlaps.
  const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin);
  let cursor = 0;
  for (const t of sorted) {
    if (t.begin !== cursor) {
      fail("CheckpointBadHeader", [path, `tensor '${t.name}' starts at byte ${t.begin}, expected ${cursor}`]);
    }
    cursor = t.end;
  }
  return { tensors, metadata, dataBytes: cursor };
}

function parseEntry(path: string, name: string, raw: unknown): TensorInfo {
  const bad = (why: string): never => fail("CheckpointBadHeader", [path, `tensor '${name}': ${why}`]);
  if (typeof raw !== "object" || raw === null) return bad("entry is not an object");
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== "string") return bad("missing dtype");
  if (!(dtype in DTYPES)) fail("CheckpointUnknownDtype", [path, name, dtype]);
  const dt = dtype as Dtype;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    return bad("shape is not a list of non-negative integers");
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
  ) {
    return bad("data_offsets is not [begin, end]");
  }
  const [begin, end] = offsets as [number, number];
  const expected = numel(shape as number[]) * DTYPES[dt].bytes;
  if (end - begin !== expected) {
    return bad(`data_offsets span ${end - begin} bytes but ${dt}${JSON.stringify(shape)} needs ${expected}`);
  }
  return { name, dtype: dt, shape: shape as number[], begin, end };
}

/** A tensor to write; `data` may be a function so large tensors are produced only when their turn comes. */
export interface TensorToWrite {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: TensorArray | (() => TensorArray | Promise<TensorArray>);
}

/**
 * Writes a safetensors file through the output helper (files/output.ts: checked, temp-then-rename), tensor by
 * tensor in the given order. The header is padded with spaces to a multiple of 8 bytes so every tensor starts
 * 8-byte aligned.
 */
export async function writeSafetensors(
  path: string,
  tensors: readonly TensorToWrite[],
  metadata: Readonly<Record<string, string>> = {},
  opts: OutputOptions = {},
): Promise<void> {
  assertLittleEndianHost();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === "__metadata__" || Object.hasOwn(header, t.name))
      throw new InternalError(`duplicate or reserved tensor name '${t.name}'`);
    const bytes = numel(t.shape) * DTYPES[t.dtype].bytes;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header), "utf-8");
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const head = Buffer.alloc(8 + padded, 0x20);
  head.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(head, 8);

  await writeOutput(
    path,
    async (file) => {
      let position = 0;
      const put = async (bytes: Uint8Array): Promise<void> => {
        for (let done = 0; done < bytes.byteLength;) {
          const len = Math.min(IO_CHUNK, bytes.byteLength - done);
          const { bytesWritten } = await file.write(bytes, done, len, position);
          done += bytesWritten;
          position += bytesWritten;
        }
      };
      await put(head);
      for (const t of tensors) {
        const data = typeof t.data === "function" ? await t.data() : t.data;
        if (!(data instanceof ARRAY_OF[t.dtype]) || data.length !== numel(t.shape)) {
          throw new InternalError(
            `tensor '${t.name}': ${data.constructor.name}(${data.length}) does not fit ${t.dtype}${JSON.stringify(t.shape)}`,
          );
        }
        await put(bytesOf(data));
      }
    },
    opts,
  );
}

/** Reads the named tensors (default: all) and the metadata, then closes the file. */
export async function readSafetensors(
  path: string,
  names?: readonly string[],
): Promise<{ tensors: Map<string, Tensor>; metadata: Readonly<Record<string, string>> }> {
  const reader = await SafetensorsReader.open(path);
  try {
    const tensors = new Map<string, Tensor>();
    for (const name of names ?? [...reader.tensors.keys()]) tensors.set(name, await reader.read(name));
    return { tensors, metadata: reader.metadata };
  } finally {
    await reader.close();
  }
}

/** float16 ↔ float conversions for F16 tensors (stored as raw bits); one implementation, in the graph layer. */
export { fromHalfBits as f16ToF32, toHalfBits as f32ToF16 } from "../../graph/tensor-data.js";
