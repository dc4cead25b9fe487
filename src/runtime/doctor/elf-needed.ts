// The libraries an ELF shared object asks the loader for (its DT_NEEDED entries), read from the file: what
// `readelf -d` prints as NEEDED. The doctor uses it on onnxruntime's CUDA provider so the list of CUDA libraries
// to look for is the installed provider's own, not a list written down for one onnxruntime version.
import { closeSync, openSync, readSync } from "node:fs";

const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;

function readAt(fd: number, offset: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  readSync(fd, b, 0, length, offset);
  return b;
}

/** NEEDED sonames of a 64-bit little-endian ELF file (what Linux x64 builds are); undefined if it is not one. */
export function elfNeeded(path: string): string[] | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const h = readAt(fd, 0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return undefined;
    const phoff = Number(h.readBigUInt64LE(32));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    const loads: { vaddr: bigint; offset: bigint; filesz: bigint }[] = [];
    let dynamic: { offset: number; size: number } | undefined;
    for (let i = 0; i < phnum; i++) {
      const p = readAt(fd, phoff + i * phentsize, phentsize);
      const type = p.readUInt32LE(0);
      const offset = p.readBigUInt64LE(8);
      const vaddr = p.readBigUInt64LE(16);
      const filesz = p.readBigUInt64LE(32);
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
      if (type === PT_DYNAMIC) dynamic = { offset: Number(offset), size: Number(filesz) };
    }
    if (!dynamic) return [];
    const dyn = readAt(fd, dynamic.offset, dynamic.size);
    const needed: bigint[] = [];
    let strtab: bigint | undefined;
    for (let at = 0; at + 16 <= dyn.length; at += 16) {
      const tag = dyn.readBigInt64LE(at);
      const val = dyn.readBigUInt64LE(at + 8);
      if (tag === 0n) break;
      if (tag === DT_NEEDED) needed.push(val);
      if (tag === DT_STRTAB) strtab = val;
    }
    if (strtab === undefined) return [];
    // DT_STRTAB is an address: the segment that maps it gives its place in the file
    const seg = loads.find((l) => strtab! >= l.vaddr && strtab! < l.vaddr + l.filesz);
    if (!seg) return [];
    const base = Number(strtab - seg.vaddr + seg.offset);
    return needed.map((off) => {
      const bytes = readAt(fd, base + Number(off), 256);
      const end = bytes.indexOf(0);
      return bytes.subarray(0, end < 0 ? bytes.length : end).toString("utf8");
    });
  } finally {
    closeSync(fd);
  }
}
