// Image files → pixels (src/runtime/image/decode.ts): every format and variant the data sources accept decodes to
// the expected pixels — exactly for the lossless ones, within JPEG's error for the lossy ones — EXIF orientation
// applied, alpha composited over black; shrink-on-load keeps a crop's pixels; bad files are BadImageErrors.
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { Planar } from "../../../src/runtime/augment/image.js";
import { BadImageError } from "../../../src/runtime/data/dataset.js";
import {
  decodePixels,
  imageHeader,
  MAX_IMAGE_PIXELS,
  type ImageHeader,
} from "../../../src/runtime/image/decode.js";
import { crc32 } from "../../../src/runtime/image/png.js";
import { encoded, handPng, unfilteredRows } from "../../harness/images.js";

// a 32 × 16 picture of four flat 16 × 8… quadrants: JPEG keeps flat 8 × 8 blocks almost exactly
const W = 32;
const H = 16;
const QUADS: [number, number, number][] = [
  [200, 30, 40], // top left
  [20, 180, 60], // top right
  [30, 60, 220], // bottom left
  [240, 230, 20], // bottom right
];
const quadOf = (x: number, y: number, w: number, h: number) => (y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1);

function quadrants(channels: 3 | 4 = 3, alpha = 255): Uint8Array {
  const px = new Uint8Array(W * H * channels);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const q = QUADS[quadOf(x, y, W, H)]!;
      px.set(channels === 4 ? [...q, alpha] : q, (y * W + x) * channels);
    }
  return px;
}

/** The pixel (x, y) of a planar image as 0…255 values (v/255 in float32 comes back to v within 1e-4). */
function at(img: Planar, x: number, y: number): number[] {
  const n = img.width * img.height;
  return [0, 1, 2].map((c) => Math.round(img.data[c * n + y * img.width + x]! * 255 * 1e4) / 1e4);
}

async function decode(bytes: Buffer, scale = 1): Promise<{ header: ImageHeader; img: Planar }> {
  const header = await imageHeader(bytes, "test");
  return { header, img: await decodePixels(bytes, header, "test", scale) };
}

/** Every quadrant's centre pixel within `tol` (0…255) of its colour. */
function expectQuadrants(img: Planar, tol: number, colours = QUADS): void {
  const w = img.width;
  const h = img.height;
  for (const [x, y] of [
    [w / 4, h / 4],
    [(3 * w) / 4, h / 4],
    [w / 4, (3 * h) / 4],
    [(3 * w) / 4, (3 * h) / 4],
  ] as const) {
    const want = colours[quadOf(x, y, w, h)]!;
    const got = at(img, Math.floor(x), Math.floor(y));
    got.forEach((v, c) =>
      expect(Math.abs(v - want[c]!), `(${x}, ${y}) channel ${c}`).toBeLessThanOrEqual(tol),
    );
  }
}

async function rejection(bytes: Buffer): Promise<BadImageError> {
  try {
    await decode(bytes);
  } catch (e) {
    if (e instanceof BadImageError) return e;
    throw e;
  }
  throw new Error("expected a BadImageError");
}

describe("decoding image files", () => {
  it("PNG RGB and WebP lossless: exact", async () => {
    for (const format of ["png", "webp"] as const) {
      const { header, img } = await decode(
        await encoded(quadrants(), W, H, 3, format, format === "webp" ? { lossless: true } : {}),
      );
      expect([header.format, header.width, header.height, img.width, img.height]).toEqual([
        format,
        W,
        H,
        W,
        H,
      ]);
      expectQuadrants(img, 0);
    }
  });

  it("JPEG baseline and progressive: within JPEG's error of the flat colours", async () => {
    for (const progressive of [false, true]) {
      const bytes = await encoded(quadrants(), W, H, 3, "jpeg", { quality: 95, progressive });
      const { header, img } = await decode(bytes);
      expect(header.format).toBe("jpeg");
      expectQuadrants(img, 6);
    }
  });

  it("grey JPEG and grey PNG: the grey in all three channels", async () => {
    const grey = new Uint8Array(W * H).map((_, i) => (i % W < W / 2 ? 40 : 210));
    for (const format of ["jpeg", "png"] as const) {
      const { img } = await decode(await encoded(grey, W, H, 1, format, { quality: 95 }));
      const left = at(img, 4, 4);
      const right = at(img, W - 4, 4);
      expect(left[0]).toBe(left[1]);
      expect(left[1]).toBe(left[2]);
      expect(Math.abs(left[0]! - 40)).toBeLessThanOrEqual(format === "png" ? 0 : 3);
      expect(Math.abs(right[0]! - 210)).toBeLessThanOrEqual(format === "png" ? 0 : 3);
    }
  });

  it("CMYK JPEG: converted to sRGB", async () => {
    // colours inside the CMYK gamut, so sRGB → CMYK → sRGB comes back close
    const muted: [number, number, number][] = [
      [150, 90, 80],
      [90, 140, 100],
      [80, 100, 160],
      [170, 160, 90],
    ];
    const px = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) px.set(muted[quadOf(i % W, Math.floor(i / W), W, H)]!, 3 * i);
    const cmyk = await sharp(await encoded(px, W, H, 3, "png"))
      .toColourspace("cmyk")
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const { img } = await decode(cmyk);
    expectQuadrants(img, 12, muted);
  });

  it("16-bit PNG: reduced to 8 bits", async () => {
    const px16 = new Uint8Array(W * H * 6);
    const q = quadrants();
    for (let i = 0; i < W * H * 3; i++) {
      const v = q[i]! * 257; // 8-bit value v as 16 bits: v·257 reduces back to v
      px16[2 * i] = v >> 8;
      px16[2 * i + 1] = v & 255;
    }
    const { img } = await decode(handPng(W, H, 16, 2, unfilteredRows(px16, H)));
    expectQuadrants(img, 0);
  });

  it("palette PNG (with a transparent entry): the palette colours, transparency over black", async () => {
    const palette = Uint8Array.from(QUADS.flat());
    const trns = Uint8Array.of(255, 255, 255, 0); // the fourth colour is fully transparent
    const idx = new Uint8Array(W * H).map((_, i) => quadOf(i % W, Math.floor(i / W), W, H));
    const { img } = await decode(
      handPng(W, H, 8, 3, unfilteredRows(idx, H), [
        ["PLTE", palette],
        ["tRNS", trns],
      ]),
    );
    expectQuadrants(img, 0, [QUADS[0]!, QUADS[1]!, QUADS[2]!, [0, 0, 0]]);
  });

  it("PNG with alpha: composited over black", async () => {
    const { img } = await decode(await encoded(quadrants(4, 128), W, H, 4, "png"));
    expectQuadrants(
      img,
      1,
      QUADS.map((c) => c.map((v) => (v * 128) / 255) as [number, number, number]),
    );
  });

  it("EXIF orientation 6 (rotate 90° clockwise): the size and the pixels as seen", async () => {
    const jpeg = await sharp(await encoded(quadrants(), W, H, 3, "png"))
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const { header, img } = await decode(jpeg);
    expect([header.width, header.height, img.width, img.height]).toEqual([H, W, H, W]);
    // rotated clockwise: the stored top-left quadrant is now top-right, bottom-left is top-left
    expectQuadrants(img, 6, [QUADS[2]!, QUADS[0]!, QUADS[3]!, QUADS[1]!]);
  });

  it("shrinks on load: a quarter of the size, the same picture", async () => {
    const big = new Uint8Array(400 * 200 * 3);
    for (let y = 0; y < 200; y++)
      for (let x = 0; x < 400; x++) big.set(QUADS[quadOf(x, y, 400, 200)]!, (y * 400 + x) * 3);
    const bytes = await encoded(big, 400, 200, 3, "jpeg", { quality: 95 });
    const { img } = await decode(bytes, 0.25);
    expect([img.width, img.height]).toEqual([100, 50]);
    expectQuadrants(img, 8);
  });
});

describe("files that cannot be used", () => {
  it("zero bytes, text, a truncated JPEG, a corrupt PNG: BadImageErrors with a reason", async () => {
    expect((await rejection(Buffer.from("not an image at all"))).reason).toMatch(/not an image/);
    const jpeg = await encoded(quadrants(), W, H, 3, "jpeg");
    expect((await rejection(jpeg.subarray(0, jpeg.length >> 1))).reason).toMatch(
      /premature|truncat|end|cut.short/i,
    );
    const png = await encoded(quadrants(), W, H, 3, "png");
    const corrupt = Buffer.from(png);
    corrupt.fill(0x55, 60, 90); // inside IDAT: the deflate stream or its CRC breaks
    await rejection(corrupt);
  });

  it("a 20000×20000 PNG is refused from its header, before any pixel is decoded", async () => {
    // a 1 × 1 PNG whose header says 20000 × 20000: only the header is read, so the missing data never matters
    const png = handPng(1, 1, 8, 2, Uint8Array.of(0, 1, 2, 3));
    png.writeUInt32BE(20000, 16);
    png.writeUInt32BE(20000, 20);
    png.writeUInt32BE(crc32(png, 12, 29), 29); // IHDR's CRC covers its type and data
    expect(20000 * 20000).toBeGreaterThan(MAX_IMAGE_PIXELS);
    const e = await rejection(png);
    expect(e.reason).toMatch(/20000×20000 is 400 Mpx, over the 268 Mpx limit/);
  });
});
