import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../../src/diagnostics/diagnostic.js";
import { EpochSampler } from "../../../src/runtime/data/sampler.js";
import { openIdxDataset, openIdxSource } from "../../../src/runtime/data/idx.js";
import { openDataSource, parseDataSpec } from "../../../src/runtime/data/source.js";
import { SYNTHETIC_CLASSES, syntheticSource } from "../../../src/runtime/data/synthetic.js";
import { knnEvaluate } from "../../../src/runtime/eval/knn.js";
import { scratchDir } from "../../harness/scratch-dir.js";
import { requires } from "../../harness/requires.js";

const dir = scratchDir("vfmc-data-");

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof DiagnosticError) return err.diagnostics.map((d) => d.code).join(",");
    throw err;
  }
  return "no error";
}

function idxBytes(type: number, dims: number[], data: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * dims.length + data.length);
  b[2] = type;
  b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  Buffer.from(data).copy(b, 4 + 4 * dims.length);
  return b;
}

describe("synthetic dataset", () => {
  const src = syntheticSource({ seed: 3, size: 24, trainSize: 400, testSize: 100 });

  it("is deterministic, balanced, CHW RGB in [0,1]", () => {
    expect(src.train.size).toBe(400);
    expect(src.test!.size).toBe(100);
    expect(src.train.numClasses).toBe(10);
    expect(src.train.classNames).toEqual(SYNTHETIC_CLASSES);
    const a = src.train.get(17);
    expect(a.image.length).toBe(3 * 24 * 24);
    expect([a.width, a.height]).toEqual([24, 24]);
    expect(a.image.every((v) => v >= 0 && v <= 1)).toBe(true);
    const again = syntheticSource({ seed: 3, size: 24, trainSize: 400 }).train.get(17);
    expect(again.image).toEqual(a.image);
    expect(syntheticSource({ seed: 4, size: 24 }).train.get(17).image).not.toEqual(a.image);
    expect(src.test!.get(17).image).not.toEqual(a.image);
    const perClass = new Array(10).fill(0);
    for (let i = 0; i < 400; i++) perClass[src.train.get(i).label]++;
    expect(perClass).toEqual(new Array(10).fill(40));
  });

  it("is learnable yet not trivial from raw pixels (kNN well above chance, well below perfect)", () => {
    const feats = (ds: typeof src.train) => {
      const D = 3 * 24 * 24;
      const features = new Float32Array(ds.size * D);
      const labels = new Int32Array(ds.size);
      for (let i = 0; i < ds.size; i++) {
        const s = ds.get(i);
        features.set(s.image, i * D);
        labels[i] = s.label;
      }
      return { features, labels };
    };
    const [acc] = knnEvaluate(feats(src.train), feats(src.test!), 3 * 24 * 24, { k: [10] });
    expect(acc!.top1).toBeGreaterThan(0.2);
    expect(acc!.top1).toBeLessThan(0.9);
  });
});

describe("IDX reader", () => {
  const images = [0, 255, 128, 64, 1, 2, 3, 4, 10, 20, 30, 40]; // three 2×2 images
  writeFileSync(join(dir, "train-images-idx3-ubyte"), idxBytes(8, [3, 2, 2], images));
  writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idxBytes(8, [3], [7, 0, 2])));
  writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), gzipSync(idxBytes(8, [1, 2, 2], [5, 6, 7, 8])));
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxBytes(8, [1], [1]));

  it("reads raw and gzipped pairs, grayscale replicated to 3 channels", () => {
    const src = openIdxSource(dir);
    expect(src.train.size).toBe(3);
    expect(src.test!.size).toBe(1);
    const s = src.train.get(0);
    expect([s.width, s.height, s.label]).toEqual([2, 2, 7]);
    expect([...s.image].map((v) => Math.round(v * 255))).toEqual([
      0, 255, 128, 64, 0, 255, 128, 64, 0, 255, 128, 64,
    ]);
    expect(src.train.numClasses).toBe(8);
    expect(openIdxSource(join(dir, "train-images-idx3-ubyte")).test!.get(0).label).toBe(1);
    expect(parseDataSpec(dir)).toEqual({ kind: "idx", path: dir });
  });

  it("reports broken files as diagnostics", () => {
    const bad = join(dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "x-images-idx3-ubyte"), idxBytes(8, [2, 2, 2], [1, 2, 3]));
    writeFileSync(join(bad, "x-labels-idx1-ubyte"), idxBytes(8, [2], [0, 1]));
    expect(codeOf(() => openIdxDataset(join(bad, "x-images-idx3-ubyte")))).toBe("VFM6102"); // data cut short
    writeFileSync(join(bad, "y-images-idx3-ubyte"), idxBytes(8, [1, 1, 1], [1]));
    writeFileSync(join(bad, "y-labels-idx1-ubyte"), idxBytes(8, [2], [0, 1]));
    expect(codeOf(() => openIdxDataset(join(bad, "y-images-idx3-ubyte")))).toBe("VFM6104");
    writeFileSync(join(bad, "z-images-idx3-ubyte"), idxBytes(0x0d, [1, 1, 1], [1, 2, 3, 4]));
    writeFileSync(join(bad, "z-labels-idx1-ubyte"), idxBytes(8, [1], [0]));
    expect(codeOf(() => openIdxDataset(join(bad, "z-images-idx3-ubyte")))).toBe("VFM6102"); // float elements
    writeFileSync(join(bad, "w-images-idx3-ubyte"), idxBytes(8, [1, 1, 1], [1]));
    expect(codeOf(() => openIdxDataset(join(bad, "w-images-idx3-ubyte")))).toBe("VFM6103");
    writeFileSync(join(bad, "v-images-idx3-ubyte.gz"), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    writeFileSync(join(bad, "v-labels-idx1-ubyte"), idxBytes(8, [1], [0]));
    expect(codeOf(() => openIdxDataset(join(bad, "v-images-idx3-ubyte.gz")))).toBe("VFM6102");
  });

  const fashion = "/usr/share/datasets/fashion-mnist";
  requires(existsSync(fashion), "Debian's dataset-fashion-mnist").it(
    "reads Fashion-MNIST (apt-get install dataset-fashion-mnist)",
    () => {
      const src = openIdxSource(fashion);
      const s = src.test!.get(0);
      expect([src.train.size, src.test!.size, s.width, s.height, src.train.numClasses]).toEqual([
        60000, 10000, 28, 28, 10,
      ]);
      expect(s.label).toBe(9); // the first test image is an ankle boot
      expect(s.image.some((v) => v > 0.5)).toBe(true);
    },
  );
  if (!existsSync(fashion))
    console.warn(
      `skipping the Fashion-MNIST test: ${fashion} is absent (apt-get install -y dataset-fashion-mnist)`,
    );
});

describe("--data strings", () => {
  it("parses the accepted forms", () => {
    expect(parseDataSpec("synthetic")).toEqual({ kind: "synthetic", seed: 0 });
    expect(parseDataSpec("synthetic:12", { syntheticSize: 28 })).toEqual({
      kind: "synthetic",
      seed: 12,
      size: 28,
    });
    expect(parseDataSpec("idx:/some/where")).toEqual({ kind: "idx", path: "/some/where" });
  });

  it("rejects the others with a diagnostic", () => {
    expect(codeOf(() => parseDataSpec("synthetic:-1"))).toBe("VFM6105");
    expect(codeOf(() => parseDataSpec("synthetic:abc"))).toBe("VFM6105");
    expect(codeOf(() => parseDataSpec("idx:"))).toBe("VFM6105");
    expect(codeOf(() => parseDataSpec(join(dir, "nothing-here")))).toBe("VFM6105");
    const pics = join(dir, "pics");
    mkdirSync(join(pics, "cat"), { recursive: true });
    expect(parseDataSpec(pics)).toEqual({ kind: "folder", path: pics });
    expect(codeOf(() => openDataSource(parseDataSpec(pics)))).toBe("VFM6401"); // no images in it
    expect(codeOf(() => openDataSource(parseDataSpec(`idx:${join(dir, "missing")}`)))).toBe("VFM6101");
  });
});

describe("epoch sampler", () => {
  it("visits every image once per epoch, in a seed-dependent order, across batch boundaries", () => {
    const s = new EpochSampler(10, 4, 1);
    const seen = [...s.indices(0), ...s.indices(1), ...s.indices(2), ...s.indices(3), ...s.indices(4)];
    expect([...seen.slice(0, 10)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...seen.slice(10, 20)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen.slice(0, 10)).not.toEqual(seen.slice(10, 20));
    expect([...new EpochSampler(10, 4, 1).indices(3)]).toEqual([...s.indices(3)]); // pure function of the step
    expect([...new EpochSampler(10, 4, 2).indices(0)]).not.toEqual([...s.indices(0)]);
  });
});
