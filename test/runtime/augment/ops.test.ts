import { describe, expect, it } from "vitest";
import { gaussianBlur, gaussianKernel } from "../../../src/runtime/augment/blur.js";
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  colorJitter,
  flipHorizontal,
  grayscale,
  solarize,
} from "../../../src/runtime/augment/color.js";
import { luma, planar, type Planar } from "../../../src/runtime/augment/image.js";
import { DEFAULT_RATIO, sampleCropBox } from "../../../src/runtime/augment/random-resized-crop.js";
import { Rng } from "../../../src/runtime/rng.js";

function randomImage(w: number, h: number, seed: number): Planar {
  const img = planar(w, h);
  const r = Rng.derive(seed);
  for (let i = 0; i < img.data.length; i++) img.data[i] = r.random();
  return img;
}
const px = (img: Planar, c: number, y: number, x: number) => img.data[(c * img.height + y) * img.width + x]!;

describe("RandomResizedCrop parameters", () => {
  it("keeps boxes inside the image, area and aspect within range", () => {
    const r = Rng.derive(1);
    for (let t = 0; t < 2000; t++) {
      const b = sampleCropBox(40, 30, [0.05, 0.32], DEFAULT_RATIO, r);
      expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= 40 && b.y + b.height <= 30).toBe(true);
      const area = (b.width * b.height) / 1200;
      // sides are rounded to whole pixels, so area and aspect stretch by up to half a pixel per side
      expect(area).toBeGreaterThan(0.05 * ((b.width - 0.5) / b.width) * ((b.height - 0.5) / b.height) - 1e-9);
      expect(area).toBeLessThan(0.32 * ((b.width + 0.5) / b.width) * ((b.height + 0.5) / b.height) + 1e-9);
      expect(b.width / b.height).toBeGreaterThan(
        ((3 / 4) * ((b.width - 0.5) / (b.height + 0.5))) / (b.width / b.height) - 1e-9,
      );
    }
  });

  it("falls back to a centre crop with the aspect clamped into the ratio range", () => {
    const r = Rng.derive(2);
    // area fractions above 1 never fit, so all 10 tries fail
    expect(sampleCropBox(20, 20, [2, 3], DEFAULT_RATIO, r)).toEqual({ x: 0, y: 0, width: 20, height: 20 });
    expect(sampleCropBox(100, 10, [2, 3], DEFAULT_RATIO, r)).toEqual({ x: 43, y: 0, width: 13, height: 10 });
    expect(sampleCropBox(10, 100, [2, 3], DEFAULT_RATIO, r)).toEqual({ x: 0, y: 43, width: 10, height: 13 }); // h = round(10 / (3/4))
  });
});

describe("colour operations (torchvision tensor semantics)", () => {
  it("brightness scales and clamps, contrast blends with the mean luma, saturation with the per-pixel luma", () => {
    const img = randomImage(5, 4, 3);
    const b = { ...img, data: img.data.slice() };
    adjustBrightness(b, 1.5);
    b.data.forEach((v, i) => expect(v).toBeCloseTo(Math.min(1, img.data[i]! * 1.5), 6));

    const c = { ...img, data: img.data.slice() };
    adjustContrast(c, 0);
    let mean = 0;
    for (let i = 0; i < 20; i++) mean += luma(img.data[i]!, img.data[20 + i]!, img.data[40 + i]!) / 20;
    c.data.forEach((v) => expect(v).toBeCloseTo(mean, 6));

    const s = { ...img, data: img.data.slice() };
    adjustSaturation(s, 0);
    for (let i = 0; i < 20; i++) {
      const y = luma(img.data[i]!, img.data[20 + i]!, img.data[40 + i]!);
      expect([s.data[i], s.data[20 + i], s.data[40 + i]].map((v) => Math.abs(v! - y) < 1e-6)).toEqual([
        true,
        true,
        true,
      ]);
    }
  });

  it("hue: a zero shift is the identity, a third of a turn maps red → green → blue", () => {
    const img = randomImage(6, 6, 4);
    const same = { ...img, data: img.data.slice() };
    adjustHue(same, 0);
    same.data.forEach((v, i) => expect(v).toBeCloseTo(img.data[i]!, 5));

    const rgb = planar(3, 1);
    rgb.data.set([1, 0, 0, 0, 1, 0, 0, 0, 1]); // pixels: red, green, blue
    adjustHue(rgb, 1 / 3);
    expect([...rgb.data].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    adjustHue(rgb, -1 / 3); // negative shifts wrap like torch's %
    expect([...rgb.data].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it("jitter keeps values in [0,1], is deterministic, and its op order varies between calls", () => {
    const img = randomImage(8, 8, 5);
    const opts = { p: 1, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1 };
    const run = (seed: number) => {
      const x = { ...img, data: img.data.slice() };
      colorJitter(x, opts, Rng.derive(seed));
      return x.data;
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
    expect(run(9).every((v) => v >= 0 && v <= 1)).toBe(true);
    const firsts = new Set<number>();
    const r = Rng.derive(11);
    for (let t = 0; t < 50; t++) firsts.add(r.permutation(4)[0]!);
    expect(firsts.size).toBe(4);
  });

  it("grayscale, solarize and flip", () => {
    const img = randomImage(4, 3, 6);
    const g = { ...img, data: img.data.slice() };
    grayscale(g);
    expect(px(g, 0, 1, 2)).toBeCloseTo(luma(px(img, 0, 1, 2), px(img, 1, 1, 2), px(img, 2, 1, 2)), 6);
    expect(px(g, 0, 1, 2)).toBe(px(g, 2, 1, 2));

    const s = planar(3, 1);
    s.data.set([0.2, 128 / 255, 0.9, 0, 0, 0, 0, 0, 0]);
    solarize(s, 128);
    expect(s.data[0]).toBeCloseTo(0.2, 6);
    expect(s.data[1]).toBeCloseTo(1 - 128 / 255, 6); // at the threshold: inverted (>=)
    expect(s.data[2]).toBeCloseTo(0.1, 6);

    const f = { ...img, data: img.data.slice() };
    flipHorizontal(f);
    expect(px(f, 1, 2, 0)).toBe(px(img, 1, 2, 3));
    flipHorizontal(f);
    expect(f.data).toEqual(img.data);
  });
});

describe("Gaussian blur", () => {
  it("uses a normalised symmetric kernel over integer offsets", () => {
    const k = gaussianKernel(9, 1.3);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    for (let i = 0; i < 4; i++) expect(k[i]).toBeCloseTo(k[8 - i]!, 7);
    expect(k[4]! / k[5]!).toBeCloseTo(Math.exp(0.5 / 1.69), 5);
  });

  it("equals a direct 2-D convolution with reflect padding", () => {
    const img = randomImage(7, 6, 7);
    const out = { ...img, data: img.data.slice() };
    gaussianBlur(out, 9, 1.1);
    const k = gaussianKernel(9, 1.1);
    const refl = (i: number, n: number) => {
      while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
      return i;
    };
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 6; y++)
        for (let x = 0; x < 7; x++) {
          let acc = 0;
          for (let dy = -4; dy <= 4; dy++)
            for (let dx = -4; dx <= 4; dx++)
              acc += k[dy + 4]! * k[dx + 4]! * px(img, c, refl(y + dy, 6), refl(x + dx, 7));
          expect(px(out, c, y, x)).toBeCloseTo(acc, 5);
        }
  });
});
