// MNIST-format IDX files (http://yann.lecun.com/exdb/mnist/ "file formats"): big-endian header — two zero bytes,
// a type byte (0x08 = unsigned byte), the number of dimensions — then one u32 per dimension, then the data.
// Images are idx3 [n, rows, cols], labels idx1 [n]. Gzipped files (magic 1f 8b) are inflated on load.
// Grayscale pixels are replicated to three channels so every dataset looks RGB to the augmentations.
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import { DiagnosticError, InternalError, makeDiagnostic, type Arg } from "../../diagnostics/diagnostic.js";
import type { DiagKey } from "../../diagnostics/catalogue.js";
import { fsReason } from "../../files/fs-errors.js";
import { readInputFile } from "../../files/inputs.js";
import { checkFits } from "../memory.js";
import { memoryDataset, type MemorySource, type MemoryDataset } from "./dataset.js";

function fail(key: DiagKey, args: readonly Arg[]): never {
  throw new DiagnosticError([makeDiagnostic(key, undefined, args)]);
}

interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Reads `path` whole, refusing before any allocation what is no regular file (`/dev/zero` never ends). */
function readWhole(path: string): Uint8Array {
  try {
    checkFits(`--data ${path}`, statSync(path).size, "use a smaller dataset");
    return readInputFile(path, "IDX file (…-images-idx3-ubyte[.gz])");
  } catch (err) {
    if (err instanceof DiagnosticError) throw err;
    return fail("DataUnreadable", [path, fsReason(err)]);
  }
}

/** The dims an IDX header declares, checked; `bytes` holds at least the header. */
function parseHeader(path: string, bytes: Uint8Array, expectedDims: number): number[] {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0)
    fail("DataBadFormat", [path, "the magic number is missing"]);
  if (bytes[2] !== 0x08)
    fail("DataBadFormat", [path, `element type 0x${bytes[2]!.toString(16)} is not unsigned byte (0x08)`]);
  const ndim = bytes[3]!;
  if (ndim !== expectedDims)
    fail("DataBadFormat", [path, `it has ${ndim} dimensions, expected ${expectedDims}`]);
  if (bytes.length < 4 + 4 * ndim) fail("DataBadFormat", [path, "the header is cut short"]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
}

/** The first bytes a gzip stream inflates to (enough for any IDX header), without inflating the rest. */
function gzipPrefix(path: string, gz: Uint8Array): Uint8Array {
  try {
    return gunzipSync(gz.subarray(0, Math.min(gz.length, 256)), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (err) {
    return fail("DataBadFormat", [path, `gzip data is damaged (${(err as Error).message})`]);
  }
}

/**
 * An IDX file's dims and data. Sizes are checked against the file before anything is allocated: the header's
 * element count against the bytes present (or, gzipped, the inflated size it implies against this machine's
 * memory, inflating no further than that), and empty shapes (no images, 0×0 images) are errors.
 */
function readIdx(path: string, expectedDims: number, what: "images" | "labels"): IdxArray {
  let bytes = readWhole(path);
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const dims = parseHeader(path, gzipped ? gzipPrefix(path, bytes) : bytes, expectedDims);
  const header = 4 + 4 * dims.length;
  const count = dims.reduce((a, b) => a * b, 1);
  if (gzipped) {
    checkFits(`--data ${path}`, header + count, "use a smaller dataset");
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: Math.max(1, header + count) });
    } catch (err) {
      const why =
        err instanceof RangeError
          ? `it inflates to more than the ${header + count} bytes its header declares`
          : `gzip data is damaged (${(err as Error).message})`;
      return fail("DataBadFormat", [path, why]);
    }
  }
  if (bytes.length - header < count) {
    fail("DataBadFormat", [
      path,
      `it holds ${bytes.length - header} data bytes, the header promises ${count}`,
    ]);
  }
  if (dims[0] === 0) fail("DataNoImages", [path, what]);
  if (dims.slice(1).some((d) => d === 0)) fail("DataEmptyImages", [path, dims.slice(1).join("×")]);
  return { dims, data: bytes.subarray(header, header + count) };
}

/** `…-images-idx3-ubyte[.gz]` → the sibling `…-labels-idx1-ubyte[.gz]` (whichever compression exists). */
export function labelsPathFor(imagesPath: string): string {
  const dir = dirname(imagesPath);
  const stem = basename(imagesPath).replace(/\.gz$/, "").replace("images", "labels").replace("idx3", "idx1");
  const found = [stem, `${stem}.gz`].find((f) => existsSync(join(dir, f)));
  return join(dir, found ?? stem);
}

/** Images [n, rows, cols] of unsigned bytes, replicated to three channels when read. */
function idxDataset(
  name: string,
  pixels: Uint8Array,
  labels: Uint8Array,
  dims: readonly number[],
): MemoryDataset {
  const [size, height, width] = dims as [number, number, number];
  const plane = width * height;
  let maxLabel = 0;
  for (const l of labels) maxLabel = Math.max(maxLabel, l);
  const get = (index: number) => {
    if (!(Number.isInteger(index) && index >= 0 && index < size)) {
      throw new InternalError(`${name}: index ${index} out of range [0, ${size})`);
    }
    const image = new Float32Array(3 * plane);
    const base = index * plane;
    for (let i = 0; i < plane; i++) image[i] = pixels[base + i]! / 255;
    image.copyWithin(plane, 0, plane);
    image.copyWithin(2 * plane, 0, plane);
    return { image, width, height, label: labels[index]! };
  };
  return memoryDataset({ name, size, numClasses: maxLabel + 1 }, get, (i) => labels[i]!);
}

/** One images file and its sibling labels file. */
export function openIdxDataset(imagesPath: string): MemoryDataset {
  const images = readIdx(imagesPath, 3, "images");
  const labelsPath = labelsPathFor(imagesPath);
  if (!existsSync(labelsPath) || labelsPath === imagesPath)
    fail("DataLabelsMissing", [
      imagesPath,
      labelsPath === imagesPath ? "a …-labels-idx1-ubyte file beside it" : labelsPath,
    ]);
  const labels = readIdx(labelsPath, 1, "labels");
  if (images.dims[0] !== labels.dims[0])
    fail("DataCountMismatch", [imagesPath, images.dims[0]!, labelsPath, labels.dims[0]!]);
  return idxDataset(
    basename(imagesPath).replace(/-images-idx3-ubyte(\.gz)?$/, ""),
    images.data,
    labels.data,
    images.dims,
  );
}

function findImages(dir: string, prefix: string): string | undefined {
  return [`${prefix}-images-idx3-ubyte`, `${prefix}-images-idx3-ubyte.gz`]
    .map((f) => join(dir, f))
    .find((p) => existsSync(p));
}

/** True when `dir` holds an MNIST-style train images file. */
export function isIdxFolder(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory() && findImages(dir, "train") !== undefined;
}

/**
 * An IDX source: a folder with train-/t10k- pairs (train → train, t10k → test), or a single images file (it is the
 * training set; if it is a `train-` file with a `t10k-` sibling, that becomes the test set).
 */
export function openIdxSource(path: string): MemorySource {
  if (!existsSync(path)) fail("DataUnreadable", [path, "no such file or folder"]);
  if (statSync(path).isDirectory()) {
    const train = findImages(path, "train");
    if (!train) fail("DataUnreadable", [path, "no train-images-idx3-ubyte[.gz] in this folder"]);
    const test = findImages(path, "t10k");
    return { train: openIdxDataset(train), ...(test ? { test: openIdxDataset(test) } : {}) };
  }
  const name = basename(path);
  const test = name.startsWith("train-") ? findImages(dirname(path), "t10k") : undefined;
  return { train: openIdxDataset(path), ...(test ? { test: openIdxDataset(test) } : {}) };
}
