// Test harness: MNIST-format IDX files written on the spot — good ones and deliberately broken ones.
import { writeFileSync } from "node:fs";

/** An IDX file: big-endian header (type 0x08, the dims), then `data` (default: the zero bytes the dims promise). */
export function writeIdx(path: string, dims: readonly number[], data?: Uint8Array): void {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  writeFileSync(path, Buffer.concat([head, data ?? new Uint8Array(dims.reduce((a, b) => a * b, 1))]));
}
