// Test harness: image files and data sources made in the test (nothing binary is committed) — PNGs written byte by
// byte, other formats through sharp, tar shards in the ustar layout, and image folders drawn from the synthetic
// dataset.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { syntheticSource } from "../../src/runtime/data/synthetic.js";
import { crc32 } from "../../src/runtime/image/png.js";

/** A PNG built by hand: IHDR fields, raw filtered rows (filter byte first), optional chunks before IDAT. */
export function handPng(
  w: number,
  h: number,
  depth: number,
  colour: number,
  rows: Uint8Array,
  extra: [string, Uint8Array][] = [],
): Buffer {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, "latin1");
    Buffer.from(data).copy(b, 8);
    b.writeUInt32BE(crc32(b, 4, 8 + data.length), 8 + data.length);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = depth;
  ihdr[9] = colour;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    ...extra.map(([t, d]) => chunk(t, d)),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** Rows of `bytesPerRow` bytes, each preceded by filter byte 0. */
export function unfilteredRows(data: Uint8Array, height: number): Uint8Array {
  const stride = data.length / height;
  const out = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) out.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return out;
}

/** Interleaved 8-bit pixels (1, 3 or 4 channels) encoded by sharp as `format`. */
export function encoded(
  px: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  format: "jpeg" | "png" | "webp",
  options: Record<string, unknown> = {},
): Promise<Buffer> {
  return sharp(Buffer.from(px), { raw: { width, height, channels } }).toFormat(format, options).toBuffer();
}

/** A ustar tar archive of `members` (regular files), with a pax `path` record for names over 100 bytes. */
export function tarOf(members: readonly { name: string; data: Uint8Array }[]): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, size: number, type: string): Buffer => {
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 100), 0, "utf8");
    h.write("0000644\0", 100, "latin1");
    h.write("0000000\0", 108, "latin1");
    h.write("0000000\0", 116, "latin1");
    h.write(size.toString(8).padStart(11, "0") + "\0", 124, "latin1");
    h.write("00000000000\0", 136, "latin1");
    h.write("        ", 148, "latin1");
    h.write(type, 156, "latin1");
    h.write("ustar\0" + "00", 257, "latin1");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
    return h;
  };
  const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
  for (const m of members) {
    if (Buffer.byteLength(m.name) > 100) {
      // "LEN path=NAME\n", where LEN counts its own digits
      const body = Buffer.byteLength(` path=${m.name}\n`);
      let total = body + 1;
      while (String(total).length + body !== total) total = String(total).length + body;
      const record = Buffer.from(`${total} path=${m.name}\n`);
      blocks.push(header("PaxHeader", record.length, "x"), record, pad(record.length));
    }
    blocks.push(header(m.name, m.data.length, "0"), Buffer.from(m.data), pad(m.data.length));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Synthetic images as 8-bit RGB: `count` of them from the training split, at side × side. */
export function syntheticRgb(count: number, side: number, seed = 0): { px: Uint8Array; label: number }[] {
  const ds = syntheticSource({ seed, size: side, trainSize: count }).train;
  return Array.from({ length: count }, (_, i) => {
    const s = ds.get(i);
    const n = side * side;
    const px = new Uint8Array(3 * n);
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < n; p++) px[3 * p + c] = Math.round(s.image[c * n + p]! * 255);
    return { px, label: s.label };
  });
}

/**
 * An ImageFolder of synthetic images as JPEGs: `root/<class name>/<index>.jpg`, `perClass` images of each of the
 * first `classes` synthetic classes. Returns the paths written, in the folder's reading order.
 */
export async function writeJpegFolder(
  root: string,
  classes: number,
  perClass: number,
  side = 40,
  seed = 0,
): Promise<string[]> {
  const images = syntheticRgb(10 * perClass, side, seed).filter((x) => x.label < classes); // labels cycle 0…9
  const written: string[] = [];
  const count = new Array<number>(classes).fill(0);
  for (const { px, label } of images) {
    if (count[label]! >= perClass) continue;
    const file = join(root, `class${label}`, `${String(count[label]!++).padStart(3, "0")}.jpg`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await encoded(px, side, side, 3, "jpeg", { quality: 92 }));
    written.push(file);
  }
  return written.sort();
}
