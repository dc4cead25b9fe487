// The ONNX external-data layout and its streaming writer. Weights of the large recipes (ViT-g with heads and
// optimiser state, ~10 GB) exceed protobuf's 2 GB message limit and Node's 4 GiB Buffer limit, so their bytes never
// pass through protobuf or a concatenated buffer: the model file holds only references, and each tensor's own
// storage is written straight to the data file at its planned offset.
import type { FileHandle } from "node:fs/promises";
import type { onnx as P } from "onnx-proto";
import { DTYPE_BYTES, elementCount, type OnnxTensor } from "./model.js";
import { onnx } from "./proto.js";
import { dtypeToProto, tensorBytes, tensorToProto } from "./tensor-codec.js";

/** One tensor's slot in the data file. */
export interface ExternalSlot {
  readonly tensor: OnnxTensor;
  readonly offset: number;
  readonly length: number;
}

// Small tensors are aligned for SIMD loads; large ones to 64 KiB, the coarsest mmap allocation granularity
// (Windows), so a runtime may map any large tensor in place without copying.
const SMALL_ALIGN = 64;
const LARGE_ALIGN = 65536;
const LARGE_TENSOR = 1 << 20;

// Linux writes at most 0x7ffff000 bytes per call; smaller pieces also keep each syscall's latency modest.
export const WRITE_CHUNK = 64 << 20;

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Assigns file offsets while the model proto is built: `place` is a PlaceInitializer that references tensors of at
 * least `threshold` bytes from `location` and keeps the rest inline.
 */
export class ExternalDataPlan {
  readonly slots: ExternalSlot[] = [];
  private end = 0;

  constructor(
    readonly location: string,
    readonly threshold: number,
  ) {}

  /** Bytes the data file will occupy (offsets are padded, so this exceeds the sum of tensor sizes). */
  get size(): number {
    return this.end;
  }

  readonly place = (t: OnnxTensor): P.ITensorProto => {
    // from dims and dtype, not the data: a tensor whose data is produced on access (vfmc's deferred weights) is
    // then produced once, when writeSlots writes it; writeSlots checks the data against the dims
    const length = elementCount(t.dims) * DTYPE_BYTES[t.dtype];
    if (length < this.threshold) return tensorToProto(t);
    const offset = alignUp(this.end, length >= LARGE_TENSOR ? LARGE_ALIGN : SMALL_ALIGN);
    this.slots.push({ tensor: t, offset, length });
    this.end = offset + length;
    return {
      name: t.name,
      dataType: dtypeToProto(t.dtype),
      dims: [...t.dims],
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: "location", value: this.location },
        { key: "offset", value: String(offset) },
        { key: "length", value: String(length) },
      ],
      ...(t.docString ? { docString: t.docString } : {}),
    };
  };
}

/** The part of a FileHandle the writer uses (tests substitute a recorder). */
export type PositionalWriter = Pick<FileHandle, "write" | "truncate">;

/** Writes every slot at its offset, tensor by tensor, from the tensors' own memory. Gaps stay as zero bytes. */
export async function writeSlots(
  file: PositionalWriter,
  slots: readonly ExternalSlot[],
  size: number,
  chunk = WRITE_CHUNK,
): Promise<void> {
  for (const s of slots) {
    const bytes = tensorBytes(s.tensor);
    for (let done = 0; done < bytes.byteLength;) {
      const n = Math.min(chunk, bytes.byteLength - done);
      const { bytesWritten } = await file.write(bytes, done, n, s.offset + done);
      done += bytesWritten;
    }
  }
  // The last slot ends the file already; truncate covers a plan whose tail was padding only.
  await file.truncate(size);
}
