import { describe, expect, it } from "vitest";
import { memoryDataset } from "../../../src/runtime/data/dataset.js";
import { syntheticSource } from "../../../src/runtime/data/synthetic.js";
import {
  augmentCrop,
  makeMultiCropBatch,
  REFERENCE_AUGMENT,
  type AugmentOptions,
  type MultiCropOptions,
} from "../../../src/runtime/augment/multi-crop.js";
import { planar } from "../../../src/runtime/augment/image.js";
import { Rng } from "../../../src/runtime/rng.js";

// byte equality (vitest's deep equality is slow on large typed arrays)
const same = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const tiny: MultiCropOptions = {
  global: { count: 2, size: 32, scale: [0.32, 1] },
  local: { count: 3, size: 16, scale: [0.05, 0.32] },
  augment: REFERENCE_AUGMENT,
};

// image i is the constant grey (i + 1) / 10, so every crop of it is that grey when photometric ops are off
const greys = memoryDataset({ name: "greys", size: 8, numClasses: 8 }, (i) => ({
  image: new Float32Array(3 * 400).fill((i + 1) / 10),
  width: 20,
  height: 20,
  label: i,
}));
const geometricOnly: AugmentOptions = {
  ...REFERENCE_AUGMENT,
  jitter: { ...REFERENCE_AUGMENT.jitter, p: 0 },
  grayscale: 0,
  solarize: { p: [0, 0, 0], threshold: 128 },
};

describe("multi-crop batches (§5)", () => {
  it("are crop-major with the documented shapes", async () => {
    const idx = Int32Array.from([5, 0, 7, 2]);
    const b = await makeMultiCropBatch(greys, idx, { ...tiny, augment: geometricOnly }, 1, 0);
    expect(b.globalShape).toEqual([8, 3, 32, 32]);
    expect(b.localShape).toEqual([12, 3, 16, 16]);
    expect(b.global.length).toBe(8 * 3 * 32 * 32);
    expect(b.local.length).toBe(12 * 3 * 16 * 16);
    expect([...b.labels]).toEqual([5, 0, 7, 2]);
    expect([...b.indices]).toEqual([5, 0, 7, 2]);
    const rowMean = (a: Float32Array, row: number, size: number) => {
      const n = 3 * size * size;
      return a.subarray(row * n, (row + 1) * n).reduce((s, v) => s + v, 0) / n;
    };
    for (let v = 0; v < 2; v++)
      for (let i = 0; i < 4; i++) expect(rowMean(b.global, v * 4 + i, 32)).toBeCloseTo((idx[i]! + 1) / 10, 5);
    for (let v = 0; v < 3; v++)
      for (let i = 0; i < 4; i++) expect(rowMean(b.local, v * 4 + i, 16)).toBeCloseTo((idx[i]! + 1) / 10, 5);
  });

  it("are a pure function of (seed, step, images), with values in [0, 1]", async () => {
    const ds = syntheticSource({ size: 32, trainSize: 50 }).train;
    const idx = Int32Array.from([3, 1, 4, 1]);
    const a = await makeMultiCropBatch(ds, idx, tiny, 7, 12);
    const b = await makeMultiCropBatch(ds, idx, tiny, 7, 12);
    expect(same(a.global, b.global) && same(a.local, b.local)).toBe(true);
    expect(same((await makeMultiCropBatch(ds, idx, tiny, 7, 13)).global, a.global)).toBe(false);
    expect(same((await makeMultiCropBatch(ds, idx, tiny, 8, 12)).global, a.global)).toBe(false);
    expect(a.global.every((v) => v >= 0 && v <= 1) && a.local.every((v) => v >= 0 && v <= 1)).toBe(true);
    // the two views of image 1 (slots 1 and 3 hold the same index) differ: independent draws
    const n = 3 * 32 * 32;
    expect(same(a.global.subarray(n, 2 * n), a.global.subarray(3 * n, 4 * n))).toBe(false);
  });

  it("blurs with the effective probabilities 0 / 0.9 / 0.5 and solarizes only the second global crop", () => {
    // a fine checkerboard loses almost all its contrast when blurred with σ ≥ 1
    const board = planar(16, 16);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 16; y++)
        for (let x = 0; x < 16; x++) board.data[(c * 16 + y) * 16 + x] = (x + y) % 2;
    const onlyBlur: AugmentOptions = {
      ...geometricOnly,
      flip: 0,
      blur: { ...REFERENCE_AUGMENT.blur, sigma: [1, 2] },
    };
    const crop = { count: 1, size: 16, scale: [1, 1] as [number, number], ratio: [1, 1] as [number, number] };
    const rate = (slot: 0 | 1 | 2, aug: AugmentOptions, test: (d: Float32Array) => boolean) => {
      const r = Rng.derive(slot);
      let hits = 0;
      for (let t = 0; t < 1000; t++) if (test(augmentCrop(board, crop, slot, aug, r).data)) hits++;
      return hits / 1000;
    };
    const blurred = (d: Float32Array) => Math.abs(d[0]! - d[1]!) < 0.5;
    expect(rate(0, onlyBlur, blurred)).toBe(0);
    expect(Math.abs(rate(1, onlyBlur, blurred) - 0.9)).toBeLessThan(0.04);
    expect(Math.abs(rate(2, onlyBlur, blurred) - 0.5)).toBeLessThan(0.06);

    const onlySolarize: AugmentOptions = {
      ...geometricOnly,
      flip: 0,
      blur: { ...REFERENCE_AUGMENT.blur, p: [0, 0, 0] },
      solarize: REFERENCE_AUGMENT.solarize,
    };
    const inverted = (d: Float32Array) => d[1]! < 0.5; // pixel (0, 1) is white: solarized to black
    expect(rate(0, onlySolarize, inverted)).toBe(0);
    expect(Math.abs(rate(1, onlySolarize, inverted) - 0.2)).toBeLessThan(0.04);
    expect(rate(2, onlySolarize, inverted)).toBe(0);
  });
});
