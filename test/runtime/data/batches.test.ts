// Training batches from image files: a PNG folder written from Fashion-MNIST gives exactly the batches of the IDX
// files it came from; bad files are replaced (deterministically) and reported, or stop a strict run; a dataset with
// nothing usable is a diagnostic, not a hang.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../../src/diagnostics/diagnostic.js";
import { BatchJob, type BatchStreamOptions, type StepBatch } from "../../../src/runtime/augment/batch-job.js";
import { REFERENCE_AUGMENT } from "../../../src/runtime/augment/multi-crop.js";
import { openDataSource, type DataSpec } from "../../../src/runtime/data/source.js";
import { crc32 } from "../../../src/runtime/image/png.js";
import { encoded, handPng, unfilteredRows, writeJpegFolder } from "../../harness/images.js";
import { scratchDir } from "../../harness/scratch-dir.js";

const dir = scratchDir("vfmc-batches-");

const crops = (global: number, local: number): BatchStreamOptions["crops"] => ({
  global: { count: 2, size: global, scale: [0.32, 1] },
  local: { count: 4, size: local, scale: [0.05, 0.32] },
  augment: REFERENCE_AUGMENT,
});

function job(data: DataSpec, options: Partial<BatchStreamOptions> = {}): BatchJob {
  const o: BatchStreamOptions = { data, crops: crops(28, 12), batch: 6, seed: 11, ...options };
  return new BatchJob(o, openDataSource(o.data).train);
}

const bytes = (b: StepBatch) =>
  Buffer.concat(
    [b.crops.global, b.crops.local, b.crops.labels].map((a) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    ),
  );

const fashion = "/usr/share/datasets/fashion-mnist";

function idxFile(path: string): Buffer {
  const b = readFileSync(path);
  return b[0] === 0x1f ? gunzipSync(b) : b;
}

describe("a PNG folder written from Fashion-MNIST", () => {
  it.skipIf(!existsSync(fashion))("gives exactly the batches of the IDX files (same seed)", async () => {
    const find = (stem: string) =>
      [stem, `${stem}.gz`].map((f) => join(fashion, f)).find((p) => existsSync(p))!;
    const images = idxFile(find("train-images-idx3-ubyte"));
    const labels = idxFile(find("train-labels-idx1-ubyte"));
    // the first 4 images of each class, class by class (the order an image folder reads them in)
    const picked: number[] = [];
    for (let c = 0; c < 10; c++) {
      for (let i = 0, n = 0; n < 4; i++) if (labels[8 + i] === c) (picked.push(i), n++);
    }
    const idxDir = join(dir, "fmnist-idx");
    const pngDir = join(dir, "fmnist-png");
    mkdirSync(idxDir);
    const header = (dims: number[]) => {
      const h = Buffer.alloc(4 + 4 * dims.length);
      h[2] = 8;
      h[3] = dims.length;
      dims.forEach((d, k) => h.writeUInt32BE(d, 4 + 4 * k));
      return h;
    };
    const pixels = picked.map((i) => images.subarray(16 + 784 * i, 16 + 784 * (i + 1)));
    writeFileSync(join(idxDir, "train-images-idx3-ubyte"), Buffer.concat([header([40, 28, 28]), ...pixels]));
    writeFileSync(
      join(idxDir, "train-labels-idx1-ubyte"),
      Buffer.concat([header([40]), Buffer.from(picked.map((i) => labels[8 + i]!))]),
    );
    picked.forEach((i, k) => {
      const file = join(pngDir, String(labels[8 + i]), `${String(k).padStart(3, "0")}.png`);
      mkdirSync(join(file, ".."), { recursive: true });
      writeFileSync(file, handPng(28, 28, 8, 0, unfilteredRows(pixels[k]!, 28))); // lossless grey
    });

    const fromIdx = job({ kind: "idx", path: idxDir });
    const fromPng = job({ kind: "folder", path: pngDir });
    for (const step of [0, 3, 7]) {
      const [a, b] = [await fromIdx.produce(step), await fromPng.produce(step)];
      expect([...b.crops.indices]).toEqual([...a.crops.indices]);
      expect(bytes(b).equals(bytes(a))).toBe(true);
    }
  });
  if (!existsSync(fashion))
    console.warn(
      `skipping the PNG-folder test: ${fashion} is absent (apt-get install -y dataset-fashion-mnist)`,
    );
});

describe("bad files in a training folder", async () => {
  const root = join(dir, "bad");
  await writeJpegFolder(root, 2, 6, 32);
  const good = readFileSync(join(root, "class0", "000.jpg"));
  const bad = join(root, "class1");
  writeFileSync(join(bad, "corrupt.jpg"), Buffer.concat([good.subarray(0, 200), Buffer.alloc(400, 0x5a)]));
  writeFileSync(join(bad, "truncated.jpg"), good.subarray(0, good.length - 300));
  writeFileSync(join(bad, "empty.jpg"), Buffer.alloc(0));
  writeFileSync(join(bad, "text.png"), "this is not a picture\n");
  symlinkSync(join(bad, "gone.jpg"), join(bad, "unreadable.jpg")); // a link to nothing (root can read anything else)
  const huge = handPng(1, 1, 8, 2, Uint8Array.of(0, 1, 2, 3));
  huge.writeUInt32BE(20000, 16); // a 20000 × 20000 header over 1 pixel of data
  huge.writeUInt32BE(20000, 20);
  huge.writeUInt32BE(crc32(huge, 12, 29), 29);
  writeFileSync(join(bad, "gigantic.png"), huge);
  const BAD = ["corrupt.jpg", "truncated.jpg", "empty.jpg", "text.png", "unreadable.jpg", "gigantic.png"];
  const data: DataSpec = { kind: "folder", path: root };
  const options = { crops: crops(24, 12), batch: 18 };

  it("each is replaced by another image and reported with its reason; batches stay a function of the seed", async () => {
    const ds = openDataSource(data).train;
    expect(ds.size).toBe(18);
    const b = await job(data, options).produce(0); // one epoch: every file is met once
    const reasons = new Map(b.crops.skipped.map((s) => [s.source.split("/").pop()!, s.reason]));
    expect([...reasons.keys()].sort()).toEqual([...BAD].sort());
    expect(reasons.get("empty.jpg")).toMatch(/empty/);
    expect(reasons.get("text.png")).toMatch(/not an image/);
    expect(reasons.get("unreadable.jpg")).toMatch(/no such file/);
    expect(reasons.get("gigantic.png")).toMatch(/20000×20000/);
    expect(reasons.get("truncated.jpg")).toMatch(/premature|truncated|end|cut.short/i);
    const used = [...b.crops.indices].map((i) => ds.describe(i).split("/").pop()!);
    expect(used.filter((f) => BAD.includes(f))).toEqual([]);
    expect(bytes(await job(data, options).produce(0)).equals(bytes(b))).toBe(true);
  });

  it("--strict-data: the first one is a diagnostic naming the file", async () => {
    try {
      await job(data, { ...options, strict: true }).produce(0);
      expect.unreachable();
    } catch (e) {
      const d = (e as DiagnosticError).diagnostics[0]!;
      expect(d.code).toBe("VFM6403");
      expect(BAD.some((f) => d.message.includes(f))).toBe(true);
    }
  });

  it("a dataset of bad files only stops with a diagnostic instead of searching forever", async () => {
    const hopeless = join(dir, "hopeless");
    mkdirSync(hopeless);
    for (let i = 0; i < 4; i++) writeFileSync(join(hopeless, `${i}.jpg`), "nope");
    await expect(job({ kind: "folder", path: hopeless }, { batch: 2 }).produce(0)).rejects.toMatchObject({
      diagnostics: [{ code: "VFM6413" }],
    });
  });

  it("evaluation leaves them out and says which", async () => {
    const { readEvalImages } = await import("../../../src/runtime/data/eval-images.js");
    const ds = openDataSource(data).train;
    const skipped: string[] = [];
    const read = await readEvalImages(
      ds,
      Int32Array.from({ length: ds.size }, (_, i) => i),
      16,
      (s) => skipped.push(s.source.split("/").pop()!),
    );
    expect(read.filter((x) => x !== undefined)).toHaveLength(12);
    expect(skipped.sort()).toEqual([...BAD].sort());
  });
});

describe("big photos", () => {
  it("are decoded shrunk to what the crops need, with the same crops' geometry", async () => {
    const { makeMultiCropBatch, decodeScale } = await import("../../../src/runtime/augment/multi-crop.js");
    // a 1600 × 1200 JPEG of a horizontal ramp: the crops of it are ramps too, shrunk or not
    const w = 1600;
    const h = 1200;
    const px = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) px.fill(Math.floor((x * 255) / w), 3 * (y * w + x), 3 * (y * w + x) + 3);
    mkdirSync(join(dir, "big", "a"), { recursive: true });
    writeFileSync(join(dir, "big", "a", "ramp.jpg"), await encoded(px, w, h, 3, "jpeg", { quality: 95 }));
    const ds = openDataSource({ kind: "folder", path: join(dir, "big") }).train;
    let asked = 1;
    const spy = {
      ...ds,
      open: async (i: number) => {
        const o = await ds.open(i);
        return { ...o, decode: (s?: number) => ((asked = s ?? 1), o.decode(s)) };
      },
    };
    const geometric = {
      ...REFERENCE_AUGMENT,
      flip: 0,
      jitter: { ...REFERENCE_AUGMENT.jitter, p: 0 },
      grayscale: 0,
    };
    const opts = {
      ...crops(64, 32),
      augment: {
        ...geometric,
        blur: { ...geometric.blur, p: [0, 0, 0] as [number, number, number] },
        solarize: { p: [0, 0, 0] as [number, number, number], threshold: 128 },
      },
    };
    const b = await makeMultiCropBatch(spy, Int32Array.of(0), opts, 3, 0);
    expect(asked).toBeLessThan(0.5); // the smallest box (a local crop of ≥ 5 % of 1.9 Mpx) still needs < half the side
    expect(decodeScale([{ box: { x: 0, y: 0, width: 100, height: 100 }, size: 96 }])).toBe(1);
    // every global crop row still rises from left to right (a ramp), whatever scale it was cut at
    for (let r = 0; r < 2; r++) {
      const row = b.global.subarray(r * 3 * 64 * 64 + 32 * 64, r * 3 * 64 * 64 + 33 * 64);
      expect(row[60]! - row[3]!).toBeGreaterThan(0.01);
    }
  });
});
