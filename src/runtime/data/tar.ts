// Reading tar files (POSIX.1-2001 "pax interchange format", IEEE 1003.1 `ustar`, with GNU's long names): the index
// of regular-file members — name, where the data starts, how long it is — from the 512-byte headers alone, so a
// shard of any size is indexed with one small read per member. No compression (WebDataset shards are plain tar).
//   header: name[0,100) size[124,136) (octal, or base-256 when the top bit is set) chksum[148,156) typeflag[156]
//           magic[257,263) prefix[345,500); data follows in 512-byte blocks; two zero blocks (or the end) finish.
//   typeflag '0' or NUL: regular file; 'x': pax header for the next member (path=, size=); 'g': global pax (ignored);
//   'L': GNU long name of the next member; anything else (folders, links) is skipped.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const BLOCK = 512;

export interface TarMember {
  readonly name: string;
  /** byte offset of the member's data in the file */
  readonly offset: number;
  readonly size: number;
}

export class TarFormatError extends Error {}

function cString(b: Uint8Array, from: number, to: number): string {
  let end = from;
  while (end < to && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + from, end - from).toString("utf8");
}

function numberField(b: Uint8Array, from: number, to: number): number {
  if (b[from]! & 0x80) {
    // GNU base-256: big-endian, the top bit of the first byte marks it
    let v = b[from]! & 0x7f;
    for (let i = from + 1; i < to; i++) v = v * 256 + b[i]!;
    return v;
  }
  const text = cString(b, from, to).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`bad octal number '${text}'`);
  return parseInt(text, 8);
}

function checksumOk(b: Uint8Array): boolean {
  const stored = numberField(b, 148, 156);
  let unsigned = 0;
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 32 : b[i]!;
  return stored === unsigned;
}

/** pax records: "LEN key=value\n" … */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = Number(data.toString("latin1", i, space));
    if (!Number.isInteger(len) || len <= 0) throw new TarFormatError("bad pax record length");
    const record = data.toString("utf8", space + 1, i + len - 1); // without the trailing newline
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** The regular-file members of a tar file, in order. Throws TarFormatError (or a file system error). */
export function tarMembers(file: string): TarMember[] {
  const fd = openSync(file, "r");
  try {
    const total = fstatSync(fd).size;
    const out: TarMember[] = [];
    let offset = 0;
    let longName: string | undefined;
    let pax = new Map<string, string>();
    while (offset + BLOCK <= total) {
      const h = readAt(fd, offset, BLOCK);
      if (h.every((x) => x === 0)) break; // end of archive
      if (!checksumOk(h)) throw new TarFormatError(`header at byte ${offset} fails its checksum`);
      const type = String.fromCharCode(h[156]!);
      let size = numberField(h, 124, 136);
      if (pax.has("size")) size = Number(pax.get("size"));
      const data = offset + BLOCK;
      if (data + size > total)
        throw new TarFormatError(`member at byte ${offset} runs past the end of the file (truncated?)`);
      const next = data + Math.ceil(size / BLOCK) * BLOCK;
      if (type === "x") pax = paxRecords(readAt(fd, data, size));
      else if (type === "L") longName = cString(readAt(fd, data, size), 0, size);
      else {
        if (type === "0" || type === "\0" || type === "7") {
          const ustar = cString(h, 257, 262) === "ustar";
          const prefix = ustar ? cString(h, 345, 500) : "";
          const base = cString(h, 0, 100);
          const name = pax.get("path") ?? longName ?? (prefix ? `${prefix}/${base}` : base);
          out.push({ name, offset: data, size });
        }
        if (type !== "g") {
          longName = undefined;
          pax = new Map();
        }
      }
      offset = next;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** One member's bytes (small members such as labels). */
export function readMemberSync(file: string, m: TarMember): Buffer {
  const fd = openSync(file, "r");
  try {
    return readAt(fd, m.offset, m.size);
  } finally {
    closeSync(fd);
  }
}
