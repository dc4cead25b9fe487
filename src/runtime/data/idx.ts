// MNIST-format IDX files (http://yann.lecun.com/exdb/mnist/ "file formats"): big-endian header — two zero bytes,
// a type byte (0x08 = unsigned byte), the number of dimensions — then one u32 per dimension, then the data.
// Images are idx3 [n, rows, cols], labels idx1 [n]. Gzipped files (magic 1f 8b) are inflated on load.
// Grayscale pixels are replicated to three channels so every dataset looks RGB to the augmentations.
import { readFileSync, existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DiagnosticError, InternalError, makeDiagnostic, type Arg } from "../../diagnostics/diagnostic.js";
import type { DiagKey } from "../../diagnostics/catalogue.js";
import type { DataSource, Dataset, ImageSample } from "./dataset.js";

function fail(key: DiagKey, args: readonly Arg[]): never {
  throw new DiagnosticError([makeDiagnostic(key, undefined, args)]);
}

interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

function readIdx(path: string, expectedDims: number): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return fail("DataUnreadable", [path, (err as Error).message]);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      return fail("DataBadFormat", [path, `gzip data is damaged (${(err as Error).message})`]);
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0)
    fail("DataBadFormat", [path, "the magic number is missing"]);
  if (bytes[2] !== 0x08)
    fail("DataBadFormat", [path, `element type 0x${bytes[2]!.toString(16)} is not unsigned byte (0x08)`]);
  const ndim = bytes[3]!;
  if (ndim !== expectedDims)
    fail("DataBadFormat", [path, `it has ${ndim} dimensions, expected ${expectedDims}`]);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) fail("DataBadFormat", [path, "the header is cut short"]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header < count) {
    fail("DataBadFormat", [
      path,
      `it holds ${bytes.length - header} data bytes, the header promises ${count}`,
    ]);
  }
  return { dims, data: bytes.subarray(header, header + count) };
}

/** `…-images-idx3-ubyte[.gz]` → the sibling `…-labels-idx1-ubyte[.gz]` (whichever compression exists). */
export function labelsPathFor(imagesPath: string): string {
  const dir = dirname(imagesPath);
  const stem = basename(imagesPath).replace(/\.gz$/, "").replace("images", "labels").replace("idx3", "idx1");
  const found = [stem, `${stem}.gz`].find((f) => existsSync(join(dir, f)));
  return join(dir, found ?? stem);
}

class IdxDataset implements Dataset {
  readonly numClasses: number;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  private readonly plane: number;

  constructor(
    readonly name: string,
    private readonly pixels: Uint8Array,
    private readonly labels: Uint8Array,
    dims: readonly number[],
  ) {
    this.size = dims[0]!;
    this.height = dims[1]!;
    this.width = dims[2]!;
    this.plane = this.width * this.height;
    let maxLabel = 0;
    for (const l of labels) maxLabel = Math.max(maxLabel, l);
    this.numClasses = maxLabel + 1;
  }

  get(index: number): ImageSample {
    if (!(Number.isInteger(index) && index >= 0 && index < this.size)) {
      throw new InternalError(`${this.name}: index ${index} out of range [0, ${this.size})`);
    }
    const image = new Float32Array(3 * this.plane);
    const base = index * this.plane;
    for (let i = 0; i < this.plane; i++) image[i] = this.pixels[base + i]! / 255;
    image.copyWithin(this.plane, 0, this.plane);
    image.copyWithin(2 * this.plane, 0, this.plane);
    return { image, width: this.width, height: this.height, label: this.labels[index]! };
  }
}

/** One images file and its sibling labels file. */
export function openIdxDataset(imagesPath: string): Dataset {
  const labelsPath = labelsPathFor(imagesPath);
  if (!existsSync(labelsPath)) fail("DataLabelsMissing", [imagesPath, labelsPath]);
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  if (images.dims[0] !== labels.dims[0])
    fail("DataCountMismatch", [imagesPath, images.dims[0]!, labelsPath, labels.dims[0]!]);
  return new IdxDataset(
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
export function openIdxSource(path: string): DataSource {
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
