// External data: layout of the .data file, ORT loading by path, equality with the inline model, and the
// streaming property (each tensor is written from its own memory, never through a concatenated buffer).
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { ExternalDataPlan, writeSlots, type PositionalWriter } from "../../src/onnx/external-data.js";
import type { OnnxModel, OnnxTensor } from "../../src/onnx/model.js";
import { onnx } from "../../src/onnx/proto.js";
import { encodeModel, readModel, writeModel } from "../../src/onnx/serialize.js";
import { checkOnnx, expectValidOnnx } from "../harness/onnx-checker.js";
import { runModel } from "../harness/ort.js";
import { f32, mlpModel } from "./fixtures.js";
import { scratchDir } from "../harness/scratch-dir.js";

const dir = scratchDir("vfmc-onnx-");

interface Ref {
  name: string;
  location: string;
  offset: number;
  length: number;
}

/** The external references recorded in a written model file, in file order. */
function externalRefs(modelPath: string): Ref[] {
  const p = onnx.ModelProto.decode(readFileSync(modelPath));
  return (p.graph?.initializer ?? [])
    .filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
    .map((t) => {
      const kv = new Map((t.externalData ?? []).map((e) => [e.key, e.value]));
      return {
        name: t.name ?? "",
        location: kv.get("location")!,
        offset: Number(kv.get("offset")),
        length: Number(kv.get("length")),
      };
    });
}

function bytesOf(t: OnnxTensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

describe("writeModel with external data", () => {
  const m = mlpModel(3, 64); // three 16 KiB weights go external; the 256-byte biases stay inline
  const X = {
    dtype: "float32" as const,
    dims: [2, 64],
    data: Float32Array.from({ length: 128 }, (_, i) => (i % 7) - 3),
  };
  const path = join(dir, "mlp.onnx");

  it("writes a small model file and a data file holding the large weights", async () => {
    const r = await writeModel(m, path, { externalData: true });
    expect(r.files).toEqual([path, join(dir, "mlp.onnx.data")]);
    expect(r.bytes).toBe(statSync(path).size);
    expect(r.externalBytes).toBe(statSync(join(dir, "mlp.onnx.data")).size);
    expect(r.bytes).toBeLessThan(2048);
    expect(externalRefs(path).map((x) => x.name)).toEqual(["W0", "W1", "W2"]);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("loads in onnxruntime from the path and matches the inline model", async () => {
    const inline = await runModel(m, { X }, { graphOptimizationLevel: "disabled" });
    const external = await runModel(path, { X }, { graphOptimizationLevel: "disabled" });
    expect(external).toEqual(inline);
  });

  it("passes the ONNX checker by path, which leaves the file untouched", (ctx) => {
    const before = readFileSync(path);
    expectValidOnnx(path, ctx);
    expect(Buffer.compare(readFileSync(path), before)).toBe(0);
  });

  it("fails the ONNX checker when the data file is missing", async (ctx) => {
    const p = join(dir, "nodata.onnx");
    await writeModel(m, p, { externalData: true });
    rmSync(join(dir, "nodata.onnx.data"));
    const r = checkOnnx(p);
    if (r.skipped) ctx.skip(r.skipped);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/nodata\.onnx\.data/);
  });

  it("reads back to the same model", async () => {
    expect(await readModel(path)).toEqual({ producerName: "vfmc", ...m });
  });

  it("without externalData keeps everything inline, identical to encodeModel", async () => {
    const p = join(dir, "inline.onnx");
    const r = await writeModel(m, p);
    expect(r).toEqual({ bytes: readFileSync(p).length, externalBytes: 0, files: [p] });
    expect(Buffer.compare(readFileSync(p), encodeModel(m))).toBe(0);
  });

  it("honours the threshold", async () => {
    const p = join(dir, "all-external.onnx");
    await writeModel(m, p, { externalData: true, threshold: 1 });
    expect(externalRefs(p)).toHaveLength(6);
    const out = await runModel(p, { X }, { graphOptimizationLevel: "disabled" });
    expect(out).toEqual(await runModel(m, { X }, { graphOptimizationLevel: "disabled" }));
  });

  it("externalises initializers of Loop bodies too", async () => {
    const body = mlpModel(1, 32).graph;
    const loop: OnnxModel = {
      opset: 17,
      graph: {
        name: "loop_mlp",
        nodes: [
          {
            opType: "Loop",
            inputs: ["M", "", "X"],
            outputs: ["Y"],
            attrs: {
              body: {
                type: "graph",
                g: {
                  ...body,
                  inputs: [
                    { name: "i", dtype: "int64", shape: [] },
                    { name: "c", dtype: "bool", shape: [] },
                    { name: "X", dtype: "float32", shape: [1, 32] },
                  ],
                  nodes: [{ opType: "Identity", inputs: ["c"], outputs: ["c_out"] }, ...body.nodes],
                  outputs: [{ name: "c_out", dtype: "bool", shape: [] }, body.outputs[0]!],
                },
              },
            },
          },
        ],
        inputs: [
          { name: "M", dtype: "int64", shape: [] },
          { name: "X", dtype: "float32", shape: [1, 32] },
        ],
        outputs: [{ name: "Y", dtype: "float32", shape: [1, 32] }],
        initializers: [],
      },
    };
    const p = join(dir, "loop.onnx");
    const r = await writeModel(loop, p, { externalData: true });
    expect(r.externalBytes).toBeGreaterThanOrEqual(32 * 32 * 4);
    const feeds = {
      M: { dtype: "int64" as const, dims: [], data: new BigInt64Array([2n]) },
      X: {
        dtype: "float32" as const,
        dims: [1, 32],
        data: Float32Array.from({ length: 32 }, (_, i) => i / 32),
      },
    };
    expect(await runModel(p, feeds)).toEqual(await runModel(loop, feeds));
  });
});

describe("external-data layout", () => {
  // ~50 MB in 120 tensors of varied sizes, mixing the small (64-byte) and large (64 KiB) alignment rules.
  const sizes = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? 300_000 + i * 1_001 : 256 + i * 37));
  const tensors: OnnxTensor[] = sizes.map((n, i) => f32(`t${i}`, [n], (j) => i + j * 1e-3));
  const model: OnnxModel = {
    opset: 17,
    graph: {
      name: "many",
      nodes: [{ opType: "Identity", inputs: ["t0"], outputs: ["y"] }],
      inputs: [],
      outputs: [{ name: "y", dtype: "float32", shape: [sizes[0]!] }],
      initializers: tensors,
    },
  };

  it("places tensors in order, aligned, without overlap, and reads back exactly", async () => {
    const p = join(dir, "many.onnx");
    const r = await writeModel(model, p, { externalData: true });
    const refs = externalRefs(p);
    expect(refs.map((x) => x.name)).toEqual(tensors.map((t) => t.name));
    let end = 0;
    refs.forEach((x, i) => {
      expect(x.location).toBe("many.onnx.data");
      expect(x.length).toBe(sizes[i]! * 4);
      expect(x.offset % (x.length >= 1 << 20 ? 65536 : 64)).toBe(0);
      expect(x.offset).toBeGreaterThanOrEqual(end);
      expect(x.offset - end).toBeLessThan(65536);
      end = x.offset + x.length;
    });
    expect(r.externalBytes).toBe(end);
    expect(r.bytes).toBeLessThan(20_000);
    // Compared as bytes: a deep equality over 13 M elements would take longer than the write.
    const back = (await readModel(p)).graph.initializers;
    expect(back.map((t) => [t.name, t.dtype, t.dims])).toEqual(tensors.map((t) => [t.name, t.dtype, t.dims]));
    back.forEach((t, i) => expect(Buffer.compare(bytesOf(t), bytesOf(tensors[i]!))).toBe(0));
  });

  it("writes each tensor from its own memory, in bounded chunks, at its planned offset", async () => {
    const plan = new ExternalDataPlan("x.data", 1024);
    for (const t of tensors) plan.place(t);
    const writes: { source: ArrayBufferLike; offset: number; length: number; position: number }[] = [];
    let truncatedTo = -1;
    const recorder = {
      async write(buffer: Uint8Array, offset: number, length: number, position: number) {
        writes.push({ source: buffer.buffer, offset: buffer.byteOffset + offset, length, position });
        return { bytesWritten: length, buffer };
      },
      async truncate(len: number) {
        truncatedTo = len;
      },
    } as unknown as PositionalWriter;
    const chunk = 1 << 18;
    await writeSlots(recorder, plan.slots, plan.size, chunk);
    expect(truncatedTo).toBe(plan.size);
    // Every write reads straight out of a tensor's own ArrayBuffer: nothing was gathered into a staging buffer.
    const owners = new Set(tensors.map((t) => t.data.buffer));
    for (const w of writes) {
      expect(owners.has(w.source)).toBe(true);
      expect(w.length).toBeLessThanOrEqual(chunk);
    }
    // Together the writes cover exactly each slot's byte range.
    for (const s of plan.slots) {
      const mine = writes.filter((w) => w.source === s.tensor.data.buffer);
      expect(mine.reduce((a, w) => a + w.length, 0)).toBe(s.length);
      expect(mine[0]!.position).toBe(s.offset);
      expect(mine.at(-1)!.position + mine.at(-1)!.length).toBe(s.offset + s.length);
    }
    expect(writes.length).toBeGreaterThan(tensors.length); // the 1.2 MB tensors were split into chunks
  });
});

describe("models beyond protobuf's 2 GiB", () => {
  // 70 initializers that are views of one 64 MiB buffer: 4.4 GiB of weights described with 64 MiB of memory.
  const shared = new Float32Array(16 << 20);
  const huge: OnnxModel = {
    opset: 17,
    graph: {
      name: "huge",
      nodes: [{ opType: "Identity", inputs: ["w0"], outputs: ["y"] }],
      inputs: [],
      outputs: [{ name: "y", dtype: "float32", shape: [shared.length] }],
      initializers: Array.from({ length: 70 }, (_, i) => ({
        name: `w${i}`,
        dtype: "float32" as const,
        dims: [shared.length],
        data: shared,
      })),
    },
  };

  it("refuses to encode them inline, before allocating the message", () => {
    expect(() => encodeModel(huge)).toThrow(/over protobuf's 2 GiB; write it with external data/);
  });

  it("plans their external data with exact offsets past 2^31 and 2^32", async () => {
    const plan = new ExternalDataPlan("huge.data", 1024);
    const refs = huge.graph.initializers.map(plan.place);
    const positions: number[] = [];
    const recorder = {
      async write(buffer: Uint8Array, _offset: number, length: number, position: number) {
        positions.push(position);
        return { bytesWritten: length, buffer };
      },
      async truncate() {},
    } as unknown as PositionalWriter;
    await writeSlots(recorder, plan.slots, plan.size);
    const bytes = shared.byteLength; // 64 MiB: a multiple of the 64 KiB alignment, so slots pack densely
    expect(plan.size).toBe(70 * bytes);
    expect(positions).toEqual(refs.map((_, i) => i * bytes));
    expect(refs[69]!.externalData).toContainEqual({ key: "offset", value: String(69 * bytes) });
    expect(69 * bytes).toBeGreaterThan(2 ** 32);
  });
});

describe("file errors are diagnostics", () => {
  it("reports an unwritable path as VFM5101 and leaves no temp files", async () => {
    const p = join(dir, "no-such-folder", "m.onnx");
    const err = await writeModel(mlpModel(1, 64), p, { externalData: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosticError);
    expect((err as DiagnosticError).diagnostics[0]!.code).toBe("VFM5101");
  });

  it("reports a model whose .data file is missing as VFM5102", async () => {
    const p = join(dir, "orphan.onnx");
    await writeModel(mlpModel(1, 64), p, { externalData: true });
    rmSync(join(dir, "orphan.onnx.data"));
    const err = await readModel(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosticError);
    expect((err as DiagnosticError).diagnostics[0]!.message).toMatch(/orphan\.onnx.*orphan\.onnx\.data/);
  });
});
