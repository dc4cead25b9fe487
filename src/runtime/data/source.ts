// `--data` / `--eval-data` strings → data sources: the one table of source kinds. A DataSpec is plain JSON so it can
// be sent to worker threads, which open their own copy of the source (see augment/worker-pool.ts).
//   DIR                  a folder of images: class sub-folders give labels, DIR/train + DIR/val|test split (folder.ts)
//   list:FILE            a text/CSV file of `path[,label]` lines, paths relative to the file (list-file.ts)
//   shards:PATTERN       WebDataset tar shards, `data-{0000..0127}.tar` (shards.ts)
//   idx:PATH             MNIST-format IDX: an images file or a folder holding train-/t10k- pairs (idx.ts)
//   synthetic[:SEED]     the embedded procedural dataset (synthetic.ts)
// A bare path is recognised by what it is: a folder (IDX files inside → idx, else images), an IDX images file, a
// .tar file (one shard) or a .txt/.csv/.tsv file (a list).
// Sources of files carry a fingerprint once the CLI has opened them (`pinDataSpec`): every later opening — the data
// workers, the evaluation — checks it, so a folder that changes under a run is an error, not silently other data.
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import type { DataSource } from "./dataset.js";
import { openFolderSource } from "./folder.js";
import { isIdxFolder, openIdxSource } from "./idx.js";
import { openListSource } from "./list-file.js";
import { openShardSource } from "./shards.js";
import { syntheticSource, type SyntheticOptions } from "./synthetic.js";

export type DataSpec =
  | ({ readonly kind: "synthetic" } & SyntheticOptions)
  | { readonly kind: "idx"; readonly path: string }
  | { readonly kind: "folder"; readonly path: string; readonly fingerprint?: string }
  | { readonly kind: "list"; readonly path: string; readonly fingerprint?: string }
  | { readonly kind: "shards"; readonly pattern: string; readonly fingerprint?: string };

type Kind = DataSpec["kind"];
type SpecOf<K extends Kind> = Extract<DataSpec, { kind: K }>;

interface SourceKind<K extends Kind> {
  /** how it is written on the command line */
  readonly syntax: string;
  readonly summary: string;
  /** `prefix:REST` → spec (undefined: the kind has no prefix of its own) */
  readonly prefix?: string;
  parse?(rest: string, text: string): SpecOf<K>;
  open(spec: SpecOf<K>): DataSource;
  describe(spec: SpecOf<K>): string;
  /** true for sources of files, which carry a fingerprint */
  readonly files: boolean;
}

function invalid(text: string, why: string): never {
  throw new DiagnosticError([makeDiagnostic("DataSpecInvalid", undefined, [text, why])]);
}

function nonEmpty(rest: string, text: string, what: string): string {
  if (rest === "") invalid(text, `${what} is missing after the colon`);
  return rest;
}

export const SOURCE_KINDS: { readonly [K in Kind]: SourceKind<K> } = {
  folder: {
    syntax: "DIR",
    summary:
      "a folder of images (JPEG, PNG, WebP), searched recursively; class sub-folders give labels, DIR/train + DIR/val (or test) are found on their own",
    open: (s) => openFolderSource(s.path),
    describe: (s) => s.path,
    files: true,
  },
  list: {
    syntax: "list:FILE",
    summary: "a text or CSV file of `path[,label]` lines, paths relative to the file",
    prefix: "list",
    parse: (rest, text) => ({ kind: "list", path: nonEmpty(rest, text, "the list file") }),
    open: (s) => openListSource(s.path, s.fingerprint === undefined),
    describe: (s) => `list:${s.path}`,
    files: true,
  },
  shards: {
    syntax: "shards:PATTERN",
    summary:
      "WebDataset tar shards with brace ranges, data-{0000..0127}.tar (members key.jpg|png|webp, key.cls)",
    prefix: "shards",
    parse: (rest, text) => ({ kind: "shards", pattern: nonEmpty(rest, text, "the shard pattern") }),
    open: (s) => openShardSource(s.pattern),
    describe: (s) => `shards:${s.pattern}`,
    files: true,
  },
  idx: {
    syntax: "idx:PATH",
    summary: "MNIST-format IDX files: an images file, or a folder of train-/t10k- pairs",
    prefix: "idx",
    parse: (rest, text) => ({ kind: "idx", path: nonEmpty(rest, text, "idx: needs a path; the path") }),
    open: (s) => openIdxSource(s.path),
    describe: (s) => `idx:${s.path}`,
    files: false,
  },
  synthetic: {
    syntax: "synthetic[:SEED]",
    summary: "vfmc's embedded procedural dataset (10 classes of shapes and textures), the default",
    prefix: "synthetic",
    parse: (rest, text) => {
      if (!/^\d+$/.test(rest) || !Number.isSafeInteger(Number(rest)))
        invalid(text, `the seed '${rest}' is not a non-negative integer`);
      return { kind: "synthetic", seed: Number(rest) };
    },
    open: (s) => syntheticSource(s),
    describe: (s) => `synthetic:${s.seed ?? 0}`,
    files: false,
  },
};

export interface DataSpecDefaults {
  /** synthetic image side (the spec's global crop size is a good choice; default 32) */
  readonly syntheticSize?: number;
}

/** A bare path, recognised by what it is. */
function pathSpec(text: string): DataSpec {
  if (!existsSync(text)) invalid(text, "no such file or folder, and not a known data source");
  if (statSync(text).isDirectory())
    return isIdxFolder(text) ? { kind: "idx", path: text } : { kind: "folder", path: text };
  if (/-images-idx3-ubyte(\.gz)?$/.test(text)) return { kind: "idx", path: text };
  if (/\.tar$/i.test(text)) return { kind: "shards", pattern: text };
  if (/\.(txt|csv|tsv|lst)$/i.test(text)) return { kind: "list", path: text };
  return invalid(
    text,
    "a file that is not a data source: an IDX images file (…-images-idx3-ubyte), a .tar shard or a .txt/.csv list",
  );
}

export function parseDataSpec(text: string, defaults: DataSpecDefaults = {}): DataSpec {
  if (text === "") invalid(text, "it is empty");
  const size = defaults.syntheticSize !== undefined ? { size: defaults.syntheticSize } : {};
  if (text === "synthetic") return { kind: "synthetic", seed: 0, ...size };
  const colon = text.indexOf(":");
  const prefix = colon > 0 ? text.slice(0, colon) : undefined;
  const kind = (Object.keys(SOURCE_KINDS) as Kind[]).find((k) => SOURCE_KINDS[k].prefix === prefix);
  if (prefix !== undefined && kind) {
    const spec = SOURCE_KINDS[kind].parse!(text.slice(colon + 1), text);
    return spec.kind === "synthetic" ? { ...spec, ...size } : spec;
  }
  return pathSpec(text);
}

function entry<K extends Kind>(spec: SpecOf<K>): SourceKind<K> {
  return SOURCE_KINDS[spec.kind as K];
}

/** What is read, image by image, as a digest: paths (or shard members) and labels, train then test. */
export function fingerprintOf(source: DataSource): string {
  const h = createHash("sha256");
  for (const ds of [source.train, source.test]) {
    if (!ds) continue;
    h.update(`${ds.size}\n`);
    for (let i = 0; i < ds.size; i++) h.update(`${ds.describe(i)}\t${ds.label(i)}\n`);
  }
  return h.digest("hex").slice(0, 16);
}

export function openDataSource(spec: DataSpec): DataSource {
  const source = entry(spec).open(spec);
  const pinned = "fingerprint" in spec ? spec.fingerprint : undefined;
  if (pinned !== undefined && fingerprintOf(source) !== pinned) {
    const n = source.train.size + (source.test?.size ?? 0);
    throw new DiagnosticError([
      makeDiagnostic("DataChanged", undefined, [
        describeDataSpec(spec),
        `it now holds ${n} images, or other ones`,
      ]),
    ]);
  }
  return source;
}

/** Opens a source once (its checks run: empty folders, list lines pointing nowhere …) and pins files sources. */
export function pinDataSpec(spec: DataSpec): { spec: DataSpec; source: DataSource } {
  const source = openDataSource(spec);
  if (!entry(spec).files) return { spec, source };
  return { spec: { ...spec, fingerprint: fingerprintOf(source) } as DataSpec, source };
}

/** Short text for logs and checkpoint metadata. */
export function describeDataSpec(spec: DataSpec): string {
  return entry(spec).describe(spec);
}

/** The source kinds as help text lines. */
export function dataSourceHelp(): string {
  const order: Kind[] = ["folder", "list", "shards", "idx", "synthetic"];
  return order.map((k) => `  ${SOURCE_KINDS[k].syntax.padEnd(18)} ${SOURCE_KINDS[k].summary}`).join("\n");
}
