// `--data` strings → datasets. A DataSpec is plain JSON so it can be sent to worker threads, which open their own
// copy of the dataset (see augment/worker-pool.ts).
//   synthetic            the embedded procedural dataset (data/synthetic.ts), seed 0
//   synthetic:SEED       the same with another seed
//   idx:PATH             MNIST-format IDX: an images file or a folder holding train-/t10k- pairs
//   PATH                 a folder or file: IDX if it holds IDX files; image folders are not supported yet
import { existsSync, statSync } from "node:fs";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import type { DataSource } from "./dataset.js";
import { isIdxFolder, openIdxSource } from "./idx.js";
import { syntheticSource, type SyntheticOptions } from "./synthetic.js";

export type DataSpec =
  ({ readonly kind: "synthetic" } & SyntheticOptions) | { readonly kind: "idx"; readonly path: string };

export interface DataSpecDefaults {
  /** synthetic image side (the spec's global crop size is a good choice; default 32) */
  readonly syntheticSize?: number;
}

function invalid(text: string, why: string): never {
  throw new DiagnosticError([makeDiagnostic("DataSpecInvalid", undefined, [text, why])]);
}

export function parseDataSpec(text: string, defaults: DataSpecDefaults = {}): DataSpec {
  const size = defaults.syntheticSize !== undefined ? { size: defaults.syntheticSize } : {};
  if (text === "synthetic") return { kind: "synthetic", seed: 0, ...size };
  if (text.startsWith("synthetic:")) {
    const seedText = text.slice("synthetic:".length);
    if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(Number(seedText))) {
      invalid(text, `the seed '${seedText}' is not a non-negative integer`);
    }
    return { kind: "synthetic", seed: Number(seedText), ...size };
  }
  if (text.startsWith("idx:")) {
    const path = text.slice("idx:".length);
    if (path === "") invalid(text, "idx: needs a path");
    return { kind: "idx", path };
  }
  if (text === "") invalid(text, "it is empty");
  if (!existsSync(text)) invalid(text, "no such file or folder, and not a known data source");
  if (statSync(text).isDirectory()) {
    if (isIdxFolder(text)) return { kind: "idx", path: text };
    throw new DiagnosticError([makeDiagnostic("DataImageFolderUnsupported", undefined, [text])]);
  }
  if (/-images-idx3-ubyte(\.gz)?$/.test(text)) return { kind: "idx", path: text };
  return invalid(text, "a file that is not an IDX images file (…-images-idx3-ubyte[.gz])");
}

export function openDataSource(spec: DataSpec): DataSource {
  return spec.kind === "synthetic" ? syntheticSource(spec) : openIdxSource(spec.path);
}

/** Short text for logs and checkpoint metadata. */
export function describeDataSpec(spec: DataSpec): string {
  return spec.kind === "synthetic" ? `synthetic:${spec.seed ?? 0}` : `idx:${spec.path}`;
}
