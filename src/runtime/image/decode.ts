// Image files → planar float RGB, with sharp (libvips; prebuilt binaries from the npm registry). One place knows
// the formats, the memory bound and how a file can be bad:
//   * formats: JPEG (baseline, progressive, grey, CMYK), PNG (grey, palette, alpha, 16-bit), WebP; embedded ICC
//     profiles are converted to sRGB, EXIF orientation is applied, alpha is composited over black, 16-bit samples
//     are reduced to 8 bits (as PIL's convert("RGB") does) before the float conversion;
//   * size: the header is read first (no pixels decoded), and an image over MAX_IMAGE_PIXELS is refused there, so
//     a 20000×20000 PNG costs a header read, not 1.2 GB;
//   * shrink-on-load: `decodePixels(…, scale)` asks libvips for the image at `scale` of its size, which a JPEG
//     decodes in the DCT domain at 1/2, 1/4 or 1/8 (a 224 px crop of a 12 Mpx photo never decodes 12 Mpx) and
//     WebP at any scale; libvips' cubic reduce covers the rest of the way;
//   * every way a file can fail (missing, a folder, unreadable, empty, not an image, corrupt, truncated, too large)
//     is a BadImageError naming the file with a reason people understand, never a native stack.
import { readFile, stat } from "node:fs/promises";
import sharp, { type Metadata } from "sharp";
import { fsReason } from "../../files/fs-errors.js";
import type { Planar } from "../augment/image.js";
import { BadImageError } from "../data/dataset.js";

/** The formats vfmc reads (sharp's format names) and the file extensions a folder scan takes as images. */
export const IMAGE_FORMATS = ["jpeg", "png", "webp"] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(["jpg", "jpeg", "jpe", "jfif", "png", "webp"]);

/** sharp's own default limit (16383²): larger images are refused from their header. */
export const MAX_IMAGE_PIXELS = 16383 * 16383;

// Every image is decoded once per use: libvips' operation cache would only hold memory.
sharp.cache(false);

export interface ImageHeader {
  readonly format: ImageFormat;
  /** size after EXIF orientation: the size the picture is seen at */
  readonly width: number;
  readonly height: number;
}

/**
 * The whole file, or a BadImageError saying why not (missing, a folder, a device, unreadable, empty). Only a regular
 * file is read: `/dev/zero` would never end.
 */
export async function readImageBytes(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const st = await stat(file);
    if (!st.isFile())
      throw new BadImageError(
        file,
        st.isDirectory() ? "it is a folder, not an image file" : "it is a device, pipe or socket, not a regular file",
      );
    bytes = await readFile(file);
  } catch (e) {
    if (e instanceof BadImageError) throw e;
    throw new BadImageError(file, fsReason(e));
  }
  if (bytes.length === 0) throw new BadImageError(file, "the file is empty (0 bytes)");
  return bytes;
}

/**
 * libvips' message, first line, without sharp's boilerplate. libvips keeps one error buffer per process, so under
 * concurrent decodes a failure sometimes arrives as "Unknown error": that is said plainly instead.
 */
function vipsReason(e: unknown): string {
  const text = (e as Error)?.message ?? String(e);
  const first = text.split("\n")[0]!.trim();
  if (/unsupported image format/i.test(first)) return "not an image vfmc reads (JPEG, PNG or WebP)";
  const reason = first.replace(/^Input (buffer|file) (has |contains )?/i, "");
  return reason === "" || /^unknown error$/i.test(reason) ? "corrupt or cut-short image data" : reason;
}

/** Format and oriented size from the header alone; refuses other formats and images over MAX_IMAGE_PIXELS. */
export async function imageHeader(bytes: Buffer, file: string): Promise<ImageHeader> {
  let m: Metadata;
  try {
    m = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new BadImageError(file, vipsReason(e));
  }
  const format = m.format as string;
  if (!(IMAGE_FORMATS as readonly string[]).includes(format))
    throw new BadImageError(file, `a ${format} image; vfmc reads JPEG, PNG and WebP`);
  const { width, height } = m.autoOrient ?? m;
  if (!width || !height) throw new BadImageError(file, "its header gives no size");
  if (width * height > MAX_IMAGE_PIXELS)
    throw new BadImageError(
      file,
      `${width}×${height} is ${((width * height) / 1e6).toFixed(0)} Mpx, over the ` +
        `${(MAX_IMAGE_PIXELS / 1e6).toFixed(0)} Mpx limit (memory)`,
    );
  return { format: format as ImageFormat, width, height };
}

const TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/**
 * Interleaved 8-bit grey or RGB → planar float RGB in [0, 1] (value v → v/255 in float32, as IDX pixels are), into
 * the first 3·width·height values of `into` when given.
 */
export function planarFromInterleaved(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  into?: Float32Array,
): Planar {
  const n = width * height;
  const out = into ? into.subarray(0, 3 * n) : new Float32Array(3 * n);
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = TO_UNIT[data[i]!]!;
    out.copyWithin(n, 0, n);
    out.copyWithin(2 * n, 0, n);
  } else {
    for (let i = 0, j = 0; i < n; i++, j += channels) {
      out[i] = TO_UNIT[data[j]!]!;
      out[n + i] = TO_UNIT[data[j + 1]!]!;
      out[2 * n + i] = TO_UNIT[data[j + 2]!]!;
    }
  }
  return { data: out, width, height };
}

/**
 * The picture of `bytes` (header from imageHeader) as planar RGB, at `scale` ≤ 1 of its oriented size (rounded up,
 * so a crop box scaled by width/header.width still has the pixels it needs). scale ≥ 1 decodes at full size.
 */
export async function decodePixels(
  bytes: Buffer,
  header: ImageHeader,
  file: string,
  scale = 1,
  alloc?: (length: number) => Float32Array,
): Promise<Planar> {
  let pipeline = sharp(bytes, { autoOrient: true, failOn: "error", limitInputPixels: MAX_IMAGE_PIXELS })
    .flatten({ background: { r: 0, g: 0, b: 0 } })
    .toColourspace("srgb");
  if (scale < 1) {
    const width = Math.max(1, Math.ceil(header.width * scale));
    const height = Math.max(1, Math.ceil(header.height * scale));
    pipeline = pipeline.resize(width, height, { fit: "fill", kernel: "cubic", fastShrinkOnLoad: true });
  }
  try {
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels < 3)
      throw new BadImageError(file, `decoded to ${info.channels} channels`);
    // a plain Uint8Array view: element reads of a Buffer subclass are slower in the conversion loop
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const n = 3 * info.width * info.height;
    return planarFromInterleaved(bytes, info.width, info.height, info.channels, alloc?.(n));
  } catch (e) {
    if (e instanceof BadImageError) throw e;
    throw new BadImageError(file, vipsReason(e));
  }
}
