// `vfmc viz pca`: the picture file, its two halves, PNG and dataset inputs, and unreadable images as diagnostics;
// `vfmc viz mae`: the four panels of a masked autoencoder.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syntheticSource } from "../../src/runtime/data/synthetic.js";
import { decodePng, encodePng, toRgb8 } from "../../src/runtime/image/png.js";
import { vfmc } from "../harness/cli.js";
import { scratchDir } from "../harness/scratch-dir.js";

const dir = scratchDir("vfmc-viz-");

const SPEC = "examples/franca-tiny.vfm";

describe("vfmc viz pca", () => {
  it("draws the input beside its PCA map, from a PNG file and from a dataset image alike", async () => {
    const sample = syntheticSource({ seed: 0, size: 32 }).train.get(3);
    const png = join(dir, "input.png");
    writeFileSync(png, encodePng(toRgb8({ data: sample.image, width: 32, height: 32 }), 32, 32));
    const outs: Uint8Array[] = [];
    for (const image of [png, "synthetic#3"]) {
      const out = join(dir, `pca-${outs.length}.png`);
      const r = await vfmc("viz", "pca", SPEC, "--image", image, "-o", out, "--scale", "4", "--json");
      expect(r.code, r.err).toBe(0);
      const summary = JSON.parse(r.out) as { grid: number[]; foregroundPatches: number; size: number[] };
      expect(summary.grid).toEqual([8, 8]);
      expect(summary.size).toEqual([2 * 128 + 4, 128]);
      expect(summary.foregroundPatches).toBeGreaterThan(0);
      expect(summary.foregroundPatches).toBeLessThanOrEqual(64);
      outs.push(readFileSync(out));
    }
    // an 8-bit PNG of the image is the same picture as the dataset's float image, up to rounding
    const [a, b] = outs.map((bytes) => toRgb8(decodePng(bytes!)));
    let diff = 0;
    for (let i = 0; i < a!.length; i++) diff = Math.max(diff, Math.abs(a![i]! - b![i]!));
    expect(diff).toBeLessThan(64);
    const pic = decodePng(outs[1]!);
    const rgb = toRgb8(pic);
    // left half: the input scaled ×4 (nearest), pixel (4·x, 4·y) is input pixel (x, y)
    const at = (x: number, y: number, c: number) => rgb[3 * (y * pic.width + x) + c]!;
    for (const [x, y] of [
      [0, 0],
      [17, 9],
      [31, 31],
    ])
      for (let c = 0; c < 3; c++)
        expect(at(4 * x!, 4 * y!, c)).toBe(Math.round(sample.image[c * 1024 + y! * 32 + x!]! * 255));
    // right half: 8×8 blocks of 16 px, each one colour
    const blocks = new Set<string>();
    for (let by = 0; by < 8; by++)
      for (let bx = 0; bx < 8; bx++) {
        const x0 = 132 + 16 * bx;
        const y0 = 16 * by;
        const colour = [0, 1, 2].map((c) => at(x0, y0, c)).join(",");
        expect([0, 1, 2].map((c) => at(x0 + 15, y0 + 15, c)).join(",")).toBe(colour);
        blocks.add(colour);
      }
    expect(blocks.size).toBeGreaterThan(4);
  });

  it("reports unreadable images and missing options as diagnostics", async () => {
    const jpeg = join(dir, "photo.jpg");
    writeFileSync(jpeg, Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0));
    const r = await vfmc("viz", "pca", SPEC, "--image", jpeg, "-o", join(dir, "x.png"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("VFM6301");
    expect(r.err).toContain("JPEG");
    const s = await vfmc("viz", "pca", SPEC, "--image", "synthetic#999999", "-o", join(dir, "x.png"));
    expect(s.err).toContain("VFM6301");
    const t = await vfmc("viz", "pca", SPEC, "--image", "synthetic#0");
    expect(t.err).toContain("VFM5004");
  });
});

describe("vfmc viz mae", () => {
  it("draws input, masked input, reconstruction and reconstruction + visible; the mask follows --seed", async () => {
    const out = join(dir, "mae.png");
    const args = ["viz", "mae", "examples/mae-tiny.vfm", "--image", "synthetic#3", "-o", out, "--scale", "2"];
    const r = await vfmc(...args, "--json");
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as {
      patches: number;
      visible: number;
      removedPixelMse: number;
      size: number[];
    };
    expect([s.patches, s.visible]).toEqual([64, 16]);
    expect(s.size).toEqual([4 * 64 + 3 * 4, 64]);
    expect(Number.isFinite(s.removedPixelMse)).toBe(true);
    const pic = decodePng(readFileSync(out));
    const rgb = toRgb8(pic);
    const at = (panel: number, x: number, y: number) =>
      [0, 1, 2].map((c) => rgb[3 * (y * pic.width + panel * 68 + x) + c]!);
    // the masked panel is the input where a patch is visible and grey (0.5) where it was removed
    let grey = 0;
    for (let y = 0; y < 64; y += 8)
      for (let x = 0; x < 64; x += 8) {
        const m = at(1, x, y);
        if (m.every((v) => v === 128)) grey++;
        else expect(m).toEqual(at(0, x, y));
      }
    expect(grey).toBe(48);
    const other = await vfmc(...args, "--seed", "1", "--json", "-o", join(dir, "mae-1.png"));
    expect(other.code, other.err).toBe(0);
    expect(readFileSync(join(dir, "mae-1.png")).equals(readFileSync(out))).toBe(false);
  });

  it("refuses a model that is not a masked autoencoder, with a diagnostic", async () => {
    const r = await vfmc("viz", "mae", SPEC, "--image", "synthetic#0", "-o", join(dir, "no.png"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("error VFM4010: cannot emit the reconstruct graph");
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
