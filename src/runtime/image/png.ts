// PNG files (W3C PNG specification, 3rd edition): enough to write vfmc's pictures and read ordinary inputs, with
// node:zlib for the deflate streams and no image library.
//   encode: 8-bit RGB or RGBA, filter type 0 on every row (the pictures are small; no filter search).
//   decode: bit depth 8 or 16 of grey, grey+alpha, RGB, RGBA, and palette images of depth 1/2/4/8; all five row
//           filters; no interlacing (Adam7 is refused with a diagnostic). Alpha is composited over white.
// Pixels cross this module as planar float RGB in [0, 1] (runtime/augment/image.ts), the layout the graphs take.
import { deflateSync, inflateSync } from "node:zlib";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { CHANNELS, planar, type Planar } from "../augment/image.js";

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** Interleaved 8-bit pixels (RGB, or RGBA with `channels` 4) → PNG bytes. */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4 = 3,
): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++)
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [
    SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Planar float RGB in [0, 1] → interleaved 8-bit RGB (rounded, clamped). */
export function toRgb8(img: Planar): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(3 * n);
  for (let c = 0; c < CHANNELS; c++)
    for (let i = 0; i < n; i++)
      out[3 * i + c] = Math.max(0, Math.min(255, Math.round(img.data[c * n + i]! * 255)));
  return out;
}

function bad(file: string, why: string): never {
  throw new DiagnosticError([makeDiagnostic("ImageUnreadable", undefined, [file, why])]);
}

const CHANNELS_OF: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the per-row filters (none, sub, up, average, paeth); `bpp` = bytes per complete pixel (at least 1). */
function unfilter(data: Uint8Array, height: number, stride: number, bpp: number, file: string): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const type = data[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    if (type > 4) bad(file, `row ${y} has filter type ${type} (0–4 exist)`);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[prev + x]! : 0;
      const c = y > 0 && x >= bpp ? out[prev + x - bpp]! : 0;
      const raw = data[src + x]!;
      const pred =
        type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth(a, b, c);
      out[row + x] = (raw + pred) & 0xff;
    }
  }
  return out;
}

/** PNG bytes → planar float RGB in [0, 1]; `file` names the source in diagnostics. */
export function decodePng(bytes: Uint8Array, file = "image"): Planar {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    bad(file, "not a PNG file (bad signature)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = -1;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let o = 8; o + 12 <= bytes.length;) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    if (o + 12 + len > bytes.length) bad(file, `chunk ${type} runs past the end of the file`);
    const data = bytes.subarray(o + 8, o + 8 + len);
    if (crc32(bytes, o + 4, o + 8 + len) !== view.getUint32(o + 8 + len))
      bad(file, `chunk ${type} fails its CRC`);
    if (type === "IHDR") {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      depth = data[8]!;
      colour = data[9]!;
      if (data[12] !== 0)
        bad(file, "interlaced (Adam7) PNGs are not supported; re-save it without interlacing");
    } else if (type === "PLTE") palette = data;
    else if (type === "tRNS") transparency = data;
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    o += 12 + len;
  }
  const ch = CHANNELS_OF[colour];
  if (ch === undefined || width === 0 || height === 0) bad(file, "missing or invalid IHDR");
  if (colour === 3 ? ![1, 2, 4, 8].includes(depth) : ![8, 16].includes(depth))
    bad(file, `bit depth ${depth} with colour type ${colour} is not supported (8 or 16 bits; palettes 1–8)`);
  if (colour === 3 && !palette) bad(file, "palette image without a PLTE chunk");
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(Buffer.concat(idat));
  } catch (e) {
    return bad(file, `corrupt image data (${(e as Error).message})`);
  }
  const bitsPerPixel = ch * depth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  if (inflated.length < height * (stride + 1)) bad(file, "image data is shorter than the header says");
  const rows = unfilter(inflated, height, stride, Math.max(1, bitsPerPixel >> 3), file);

  const maxv = depth === 16 ? 65535 : (1 << depth) - 1;
  const sample = (y: number, i: number): number => {
    // i-th sample of row y
    if (depth === 16) return (rows[y * stride + 2 * i]! << 8) | rows[y * stride + 2 * i + 1]!;
    if (depth === 8) return rows[y * stride + i]!;
    const bit = i * depth;
    return (rows[y * stride + (bit >> 3)]! >> (8 - depth - (bit & 7))) & maxv;
  };
  const img = planar(width, height);
  const n = width * height;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let r: number, g: number, b: number;
      let a = 1;
      if (colour === 3) {
        const idx = sample(y, x);
        r = palette![3 * idx]! / 255;
        g = palette![3 * idx + 1]! / 255;
        b = palette![3 * idx + 2]! / 255;
        if (transparency && idx < transparency.length) a = transparency[idx]! / 255;
      } else {
        const s = (k: number): number => sample(y, x * ch + k) / maxv;
        if (ch <= 2) r = g = b = s(0);
        else [r, g, b] = [s(0), s(1), s(2)];
        if (ch === 2 || ch === 4) a = s(ch - 1);
      }
      const i = y * width + x;
      img.data[i] = a * r + (1 - a);
      img.data[n + i] = a * g + (1 - a);
      img.data[2 * n + i] = a * b + (1 - a);
    }
  return img;
}
