// `--data shards:PATTERN`: WebDataset-style tar shards (github.com/webdataset/webdataset: a sample is the run of
// consecutive members sharing a key — the member name up to the first dot of its file name — here key.jpg|jpeg|png|
// webp and optionally key.cls, a class number as text). PATTERN takes brace ranges and lists, as WebDataset's
// braceexpand does: `data/train-{0000..0127}.tar`, `{a,b}.tar`.
//
// Shards are read as streams are: an epoch visits the shards in a seeded order, each from start to end, through a
// shuffle buffer of SHUFFLE_BUFFER samples (a random one of the buffer leaves as each new one enters). The order is
// computed from the shards' indexes (one header read per member, tar.ts), so a batch is still a pure function of
// (seed, step) — the same with any number of workers, and after a resume — while reads stay near-sequential.
import { statSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { noteInput } from "../../files/inputs.js";
import { Rng } from "../rng.js";
import { BadImageError, UNLABELLED, type DataSource } from "./dataset.js";
import { encodedDataset } from "./file-dataset.js";
import { readMemberSync, TarFormatError, tarMembers } from "./tar.js";

export const SHUFFLE_BUFFER = 1000;
const IMAGE_EXTS = ["jpg", "jpeg", "png", "webp"];
const MAX_SHARDS = 1_000_000;
const OPEN_SHARDS = 16;

/** Brace expansion: `{0000..0127}` (zero-padded when an end is), `{3..1}`, `{a,b,c}`; several braces multiply. */
export function expandBraces(pattern: string): string[] {
  const m = [...pattern.matchAll(/\{([^{}]*)\}/g)].find((g) => /^-?\d+\.\.-?\d+$|,/.test(g[1]!));
  if (!m) return [pattern];
  const head = pattern.slice(0, m.index);
  const tail = pattern.slice(m.index! + m[0].length);
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(m[1]!);
  let items: string[];
  if (range) {
    const [a, b] = [range[1]!, range[2]!];
    const width = /^-?0\d/.test(a) || /^-?0\d/.test(b) ? Math.max(a.length, b.length) : 0;
    const [lo, hi] = [Number(a), Number(b)];
    if (Math.abs(hi - lo) >= MAX_SHARDS) throw new RangeError(`{${m[1]}} names too many files`);
    const step = lo <= hi ? 1 : -1;
    items = [];
    for (let v = lo; step > 0 ? v <= hi : v >= hi; v += step) items.push(String(v).padStart(width, "0"));
  } else items = m[1]!.split(",");
  return items.flatMap((it) => expandBraces(head + it + tail));
}

/** WebDataset's key/extension split: `dir/abc.seg.png` → key `dir/abc`, extension `seg.png`. */
export function splitKey(name: string): { key: string; ext: string } {
  const slash = name.lastIndexOf("/");
  const dot = name.indexOf(".", slash + 1);
  return dot < 0
    ? { key: name, ext: "" }
    : { key: name.slice(0, dot), ext: name.slice(dot + 1).toLowerCase() };
}

export interface ShardIndex {
  readonly shards: readonly string[];
  /** per sample: its shard, the image member's byte range, its label, its name */
  readonly shard: Int32Array;
  readonly offset: Float64Array;
  readonly length: Float64Array;
  readonly labels: Int32Array;
  readonly names: readonly string[];
  /** first sample of each shard, and one past the last */
  readonly starts: Int32Array;
}

function shardError(file: string, why: string): DiagnosticError {
  return new DiagnosticError([makeDiagnostic("DataShardUnreadable", undefined, [file, why])]);
}

/** Indexes every shard (headers only; .cls members are read, they are a few bytes). */
export function indexShards(pattern: string): ShardIndex {
  let shards: string[];
  try {
    shards = expandBraces(pattern);
  } catch (e) {
    throw new DiagnosticError([
      makeDiagnostic("DataShardsMissing", undefined, [pattern, (e as Error).message]),
    ]);
  }
  const missing = shards.filter((s) => {
    try {
      return !statSync(s).isFile();
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    const shown =
      missing.slice(0, 3).join(", ") +
      (missing.length > 3 ? ` … (${missing.length} of ${shards.length})` : "");
    throw new DiagnosticError([
      makeDiagnostic("DataShardsMissing", undefined, [pattern, `no such file: ${shown}`]),
    ]);
  }
  const shard: number[] = [];
  const offset: number[] = [];
  const length: number[] = [];
  const labels: number[] = [];
  const names: string[] = [];
  const starts = [0];
  let labelled = 0;
  shards.forEach((file, s) => {
    noteInput(file); // an output of the command must not replace a shard
    let members;
    try {
      members = tarMembers(file);
    } catch (e) {
      throw shardError(file, e instanceof TarFormatError ? e.message : (e as Error).message);
    }
    for (let i = 0; i < members.length;) {
      const { key } = splitKey(members[i]!.name);
      let j = i;
      let image: (typeof members)[number] | undefined;
      let label = UNLABELLED;
      for (; j < members.length && splitKey(members[j]!.name).key === key; j++) {
        const m = members[j]!;
        const { ext } = splitKey(m.name);
        if (!image && IMAGE_EXTS.includes(ext)) image = m;
        else if (ext === "cls") {
          const text = readMemberSync(file, m).toString("utf8").trim();
          if (!/^\d+$/.test(text))
            throw shardError(file, `${m.name} holds '${text.slice(0, 20)}', not a class number`);
          label = Number(text);
        }
      }
      if (image) {
        shard.push(s);
        offset.push(image.offset);
        length.push(image.size);
        labels.push(label);
        names.push(image.name);
        if (label !== UNLABELLED) labelled++;
      }
      i = j;
    }
    starts.push(names.length);
  });
  if (names.length === 0)
    throw new DiagnosticError([makeDiagnostic("DataShardsNoImages", undefined, [pattern])]);
  if (labelled > 0 && labelled < names.length) {
    const at = labels.findIndex((l) => l === UNLABELLED);
    throw shardError(
      shards[shard[at]!]!,
      `${names[at]} has no .cls member while ${labelled} other samples have one`,
    );
  }
  return {
    shards,
    shard: Int32Array.from(shard),
    offset: Float64Array.from(offset),
    length: Float64Array.from(length),
    labels: Int32Array.from(labels),
    names,
    starts: Int32Array.from(starts),
  };
}

/** The samples of one epoch in stream order: shards in a seeded order, each in file order, through the buffer. */
export function shardEpochOrder(
  index: ShardIndex,
  seed: number,
  epoch: number,
  buffer = SHUFFLE_BUFFER,
): Int32Array {
  const shardOrder = Rng.derive(seed, "shards", epoch).permutation(index.shards.length);
  const rng = Rng.derive(seed, "shuffle-buffer", epoch);
  const out = new Int32Array(index.names.length);
  const buf: number[] = [];
  let n = 0;
  const emit = (): void => {
    const k = rng.int(0, buf.length - 1);
    out[n++] = buf[k]!;
    buf[k] = buf[buf.length - 1]!;
    buf.pop();
  };
  for (const s of shardOrder) {
    for (let i = index.starts[s]!; i < index.starts[s + 1]!; i++) {
      buf.push(i);
      if (buf.length >= buffer) emit();
    }
  }
  while (buf.length > 0) emit();
  return out;
}

/** Open shard files, the most recently used kept (a worker reads from a few shards at a time). */
class ShardFiles {
  private readonly handles = new Map<number, Promise<FileHandle>>();

  constructor(private readonly files: readonly string[]) {}

  async read(s: number, offset: number, length: number, name: string): Promise<Buffer> {
    let h = this.handles.get(s);
    if (h) this.handles.delete(s);
    else h = open(this.files[s]!, "r");
    this.handles.set(s, h);
    if (this.handles.size > OPEN_SHARDS) {
      const [oldest, handle] = this.handles.entries().next().value as [number, Promise<FileHandle>];
      this.handles.delete(oldest);
      void handle.then((f) => f.close()).catch(() => undefined);
    }
    const where = `${this.files[s]}:${name}`;
    let buf: Buffer;
    try {
      const fh = await h;
      buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      if (bytesRead < length) throw new Error(`${bytesRead} of ${length} bytes (the shard changed?)`);
    } catch (e) {
      throw new BadImageError(where, (e as Error).message);
    }
    if (length === 0) throw new BadImageError(where, "the member is empty (0 bytes)");
    return buf;
  }
}

export function openShardSource(pattern: string): DataSource & { index: ShardIndex } {
  const index = indexShards(pattern);
  const files = new ShardFiles(index.shards);
  let numClasses = 0;
  for (const l of index.labels) numClasses = Math.max(numClasses, l + 1);
  const describe = (i: number): string => `${index.shards[index.shard[i]!]}:${index.names[i]}`;
  const train = encodedDataset({
    name: `shards:${pattern}`,
    size: index.names.length,
    numClasses,
    sortedByClass: false,
    label: (i) => index.labels[i]!,
    describe,
    read: (i) => files.read(index.shard[i]!, index.offset[i]!, index.length[i]!, index.names[i]!),
  });
  return { train: { ...train, epochOrder: (seed, epoch) => shardEpochOrder(index, seed, epoch) }, index };
}
