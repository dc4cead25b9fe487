import { readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../../src/diagnostics/diagnostic.js";
import { writeOutput } from "../../../src/files/output.js";
import {
  f16ToF32,
  f32ToF16,
  readSafetensors,
  SafetensorsReader,
  writeSafetensors,
  type TensorToWrite,
} from "../../../src/runtime/checkpoint/safetensors.js";
import { scratchDir } from "../../harness/scratch-dir.js";

const dir = scratchDir("vfmc-st-");

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DiagnosticError) return err.diagnostics.map((d) => d.code).join(",");
    throw err;
  }
  return "no error";
}

const sample: TensorToWrite[] = [
  {
    name: "blocks.0.attn.qkv.weight",
    dtype: "F32",
    shape: [2, 3],
    data: Float32Array.from([1, -2, 3.5, 0, 1e-7, -Infinity]),
  },
  { name: "teacher.step", dtype: "I64", shape: [], data: BigInt64Array.from([123456789012345n]) },
  { name: "mask", dtype: "BOOL", shape: [4], data: Uint8Array.from([1, 0, 0, 1]) },
  { name: "ids", dtype: "I32", shape: [3], data: Int32Array.from([-1, 0, 2 ** 31 - 1]) },
  { name: "pixels", dtype: "U8", shape: [1, 3], data: Uint8Array.from([0, 128, 255]) },
  { name: "half", dtype: "F16", shape: [2], data: Uint16Array.from([f32ToF16(1.5), f32ToF16(-0.25)]) },
  { name: "exact", dtype: "F64", shape: [1], data: () => Float64Array.from([Math.PI]) },
  { name: "empty", dtype: "F32", shape: [0, 5], data: new Float32Array(0) },
];

describe("safetensors", () => {
  it("round-trips every dtype, shapes, order and metadata", async () => {
    const path = join(dir, "round.safetensors");
    await writeSafetensors(path, sample, { format: "pt", vfmc_step: "1250" });
    const bytes = readFileSync(path);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    expect(headerLen % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString("utf-8"));
    expect(header.__metadata__).toEqual({ format: "pt", vfmc_step: "1250" });
    expect(header["blocks.0.attn.qkv.weight"]).toEqual({
      dtype: "F32",
      shape: [2, 3],
      data_offsets: [0, 24],
    });

    const { tensors, metadata } = await readSafetensors(path);
    expect(metadata).toEqual({ format: "pt", vfmc_step: "1250" });
    expect([...tensors.keys()]).toEqual(sample.map((t) => t.name));
    for (const t of sample) {
      const got = tensors.get(t.name)!;
      const want = typeof t.data === "function" ? t.data() : t.data;
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(got.data.constructor).toBe(want.constructor);
      expect(Array.from(got.data as ArrayLike<unknown>)).toEqual(Array.from(want as ArrayLike<unknown>));
    }
    const half = tensors.get("half")!.data as Uint16Array;
    expect([f16ToF32(half[0]!), f16ToF32(half[1]!)]).toEqual([1.5, -0.25]);
  });

  it("reads only the tensors asked for", async () => {
    const path = join(dir, "partial.safetensors");
    await writeSafetensors(path, sample);
    const reader = await SafetensorsReader.open(path);
    try {
      expect(reader.tensors.size).toBe(sample.length);
      expect(reader.info("ids").shape).toEqual([3]);
      expect([...(await reader.read("ids")).data]).toEqual([-1, 0, 2 ** 31 - 1]);
      expect(await codeOf(reader.read("nope"))).toBe("VFM6005");
    } finally {
      await reader.close();
    }
  });

  it("reports a truncated file, a bad header and an unknown dtype as diagnostics", async () => {
    const good = join(dir, "good.safetensors");
    await writeSafetensors(good, sample);
    const size = readFileSync(good).length;

    const cut = join(dir, "cut.safetensors");
    writeFileSync(cut, readFileSync(good).subarray(0, size - 3));
    expect(await codeOf(SafetensorsReader.open(cut))).toBe("VFM6002");
    const msg = await SafetensorsReader.open(cut).catch((e: DiagnosticError) => e.diagnostics[0]!.message);
    expect(msg).toContain(`${size} bytes expected, ${size - 3} found`);

    const tiny = join(dir, "tiny.safetensors");
    writeFileSync(tiny, Buffer.from([1, 2, 3]));
    expect(await codeOf(SafetensorsReader.open(tiny))).toBe("VFM6002");

    const garbage = join(dir, "garbage.safetensors");
    const g = Buffer.alloc(8 + 8 + 4);
    g.writeBigUInt64LE(8n, 0);
    g.write("{not json", 8);
    writeFileSync(garbage, g);
    expect(await codeOf(SafetensorsReader.open(garbage))).toBe("VFM6003");

    const huge = join(dir, "huge.safetensors");
    const h = Buffer.alloc(16);
    h.writeBigUInt64LE(2n ** 40n, 0);
    writeFileSync(huge, h);
    expect(await codeOf(SafetensorsReader.open(huge))).toBe("VFM6003");

    const withHeader = (header: object, dataBytes: number) => {
      const json = Buffer.from(JSON.stringify(header));
      const b = Buffer.alloc(8 + json.length + dataBytes);
      b.writeBigUInt64LE(BigInt(json.length), 0);
      json.copy(b, 8);
      return b;
    };
    const odd = join(dir, "odd-dtype.safetensors");
    writeFileSync(odd, withHeader({ x: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, 8));
    expect(await codeOf(SafetensorsReader.open(odd))).toBe("VFM6004");

    const wrongSize = join(dir, "wrong-size.safetensors");
    writeFileSync(wrongSize, withHeader({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8));
    expect(await codeOf(SafetensorsReader.open(wrongSize))).toBe("VFM6003");

    const hole = join(dir, "hole.safetensors");
    writeFileSync(hole, withHeader({ x: { dtype: "U8", shape: [2], data_offsets: [2, 4] } }, 4));
    expect(await codeOf(SafetensorsReader.open(hole))).toBe("VFM6003");

    expect(await codeOf(SafetensorsReader.open(join(dir, "absent.safetensors")))).toBe("VFM6001");
  });

  it("converts half floats with round-to-nearest-even", () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8])
      expect(f16ToF32(f32ToF16(v))).toBe(v);
    expect(f16ToF32(f32ToF16(1e6))).toBe(Infinity);
    expect(f16ToF32(f32ToF16(1 + 2 ** -11))).toBe(1); // halfway between 1 and the next half: ties to even
    expect(Number.isNaN(f16ToF32(f32ToF16(NaN)))).toBe(true);
  });
});

describe("atomic write", () => {
  it("leaves the previous file intact when the writer fails, and no temp files behind", async () => {
    const path = join(dir, "atomic.bin");
    await writeOutput(path, "old content");
    await expect(
      writeOutput(path, async (file) => {
        await file.write("partial new content");
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(readFileSync(path, "utf-8")).toBe("old content");
    await writeOutput(path, "new content");
    expect(readFileSync(path, "utf-8")).toBe("new content");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("keeps the old checkpoint when a lazily produced tensor fails", async () => {
    const path = join(dir, "keep.safetensors");
    await writeSafetensors(path, sample.slice(0, 1));
    const before = readFileSync(path);
    await expect(
      writeSafetensors(path, [
        ...sample.slice(0, 1),
        { name: "bad", dtype: "F32", shape: [2], data: () => new Float32Array(3) },
      ]),
    ).rejects.toThrow(/does not fit/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("reports an unwritable destination as a diagnostic", async () => {
    const missing = join(dir, "no-such-dir", "x.safetensors");
    expect(await codeOf(writeSafetensors(missing, sample))).toBe("VFM5005");
    expect(await codeOf(writeSafetensors(missing, sample, {}, { failure: "CheckpointWriteFailed" }))).toBe(
      "VFM6006",
    );
    truncateSync(join(dir, "keep.safetensors"), 0); // (exercise: an emptied file is 'truncated', not a crash)
    expect(await codeOf(SafetensorsReader.open(join(dir, "keep.safetensors")))).toBe("VFM6002");
  });
});
