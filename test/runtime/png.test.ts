// PNG encode/decode: round trips, every row filter, the other colour types, and damaged files as diagnostics.
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { crc32, decodePng, encodePng, toRgb8 } from "../../src/runtime/image/png.js";
import { handPng } from "../harness/images.js";

function rgbPattern(w: number, h: number): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    px[3 * i] = (i * 37) & 255;
    px[3 * i + 1] = (i * 11 + 5) & 255;
    px[3 * i + 2] = (255 - i * 3) & 255;
  }
  return px;
}

describe("PNG", () => {
  it("crc32 matches the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("round-trips 8-bit RGB through encode and decode", () => {
    const [w, h] = [7, 5];
    const px = rgbPattern(w, h);
    const img = decodePng(encodePng(px, w, h));
    expect([img.width, img.height]).toEqual([w, h]);
    expect(Array.from(toRgb8(img))).toEqual(Array.from(px));
  });

  it("undoes every row filter (sub, up, average, paeth)", () => {
    const [w, h] = [4, 5];
    const px = rgbPattern(w, h);
    const stride = w * 3;
    const rows = new Uint8Array(h * (stride + 1));
    for (let y = 0; y < h; y++) {
      const type = y; // 0 none, 1 sub, 2 up, 3 average, 4 paeth
      rows[y * (stride + 1)] = type;
      for (let x = 0; x < stride; x++) {
        const a = x >= 3 ? px[y * stride + x - 3]! : 0;
        const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
        const c = y > 0 && x >= 3 ? px[(y - 1) * stride + x - 3]! : 0;
        const p = a + b - c;
        const pred = [
          0,
          a,
          b,
          (a + b) >> 1,
          Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
            ? a
            : Math.abs(p - b) <= Math.abs(p - c)
              ? b
              : c,
        ][type]!;
        rows[y * (stride + 1) + 1 + x] = (px[y * stride + x]! - pred) & 255;
      }
    }
    expect(Array.from(toRgb8(decodePng(handPng(w, h, 8, 2, rows))))).toEqual(Array.from(px));
  });

  it("reads grey 16-bit, 2-bit palettes with transparency, and RGBA over white", () => {
    const grey = decodePng(handPng(2, 1, 16, 0, Uint8Array.of(0, 0xff, 0xff, 0x80, 0x00)));
    expect(grey.data[0]).toBeCloseTo(1, 6);
    expect(grey.data[1]).toBeCloseTo(0x8000 / 65535, 6);
    const plte = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30);
    // 4 pixels of 2 bits: indices 0,1,2,3 → one byte 0b00_01_10_11
    const pal = decodePng(
      handPng(4, 1, 2, 3, Uint8Array.of(0, 0b00011011), [
        ["PLTE", plte],
        ["tRNS", Uint8Array.of(255, 255, 0)],
      ]),
    );
    expect(Array.from(toRgb8(pal))).toEqual([255, 0, 0, 0, 255, 0, 255, 255, 255, 10, 20, 30]);
    const rgba = decodePng(encodePng(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 255), 2, 1, 4));
    expect(Array.from(toRgb8(rgba))).toEqual([255, 255, 255, 0, 0, 0]);
  });

  it("reports damaged or unsupported files as VFM6301", () => {
    const good = encodePng(rgbPattern(3, 3), 3, 3);
    const corrupt = Uint8Array.from(good);
    corrupt[40] = corrupt[40]! ^ 0xff;
    const interlaced = Uint8Array.from(good);
    interlaced[28] = 1; // IHDR interlace byte (CRC now wrong too: either message is a diagnostic)
    for (const bytes of [Uint8Array.of(1, 2, 3), corrupt, interlaced]) {
      let err: unknown;
      try {
        decodePng(bytes, "x.png");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DiagnosticError);
      expect((err as DiagnosticError).diagnostics[0]!.code).toBe("VFM6301");
    }
  });
});
