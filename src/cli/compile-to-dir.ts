// Compiling one model into a folder: lower and emit its graphs (src/lower/compile.ts), write each ONNX file (weights
// over 1 GiB to external data unless told otherwise) and the manifest. Used by `vfmc compile` and by `vfmc run`'s
// cached training graphs (train-graph.ts).
import { join } from "node:path";
import { DiagnosticError, makeDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ModelIR } from "../ir/model.js";
import { compileModelGraphs, type CompiledGraph, type WeightsFile } from "../lower/compile.js";
import type { Manifest } from "../lower/manifest.js";
import { PROTOBUF_LIMIT, writeModel, type WriteResult } from "../onnx/serialize.js";
import { OutputSet, prepareOutputFolder } from "../files/output.js";

/** `auto` moves weights out of the .onnx file above this many bytes: far under protobuf's 2 GiB, and large
 * enough that small and base models stay one self-contained file. */
export const AUTO_EXTERNAL_BYTES = 1 << 30;

/** With external data on, initializers of at least this many bytes go to the data file (ONNX's usual 1 KiB). */
const EXTERNAL_THRESHOLD = 1024;

export interface GraphReport {
  readonly kind: string;
  readonly file: string;
  readonly nodes: number;
  readonly params: number;
  readonly bytes: number;
  readonly externalBytes: number;
  readonly lowerMs: number;
  readonly writeMs: number;
}

function useExternal(mode: string, bytes: number): boolean {
  if (mode === "always") return true;
  if (mode === "never") {
    if (bytes > PROTOBUF_LIMIT)
      throw new DiagnosticError([
        makeDiagnostic("BadOption", undefined, [
          `--external-data never: the weights (${bytes} bytes) exceed protobuf's 2 GiB`,
          "compile",
        ]),
      ]);
    return false;
  }
  return bytes > AUTO_EXTERNAL_BYTES;
}

export function human(n: number, unit: string): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G${unit}`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M${unit}`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k${unit}`;
  return `${n} ${unit}`;
}

async function writeGraph(
  g: CompiledGraph,
  dir: string,
  mode: string,
  set: OutputSet,
): Promise<{ result: WriteResult; ms: number }> {
  const t0 = performance.now();
  const externalData = useExternal(mode, g.bytes);
  const result = await writeModel(
    g.model,
    join(dir, g.file),
    { externalData, threshold: EXTERNAL_THRESHOLD },
    set,
  );
  return { result, ms: performance.now() - t0 };
}

/**
 * Compiles one model and writes its files; returns one report per graph and the diagnostics it raised. The graphs
 * and the manifest appear together or not at all (a full disk leaves the folder as it was).
 */
export async function compileToDir(
  ir: ModelIR,
  dir: string,
  opts: {
    emit: readonly string[];
    opset: number;
    weights: readonly WeightsFile[];
    externalData: string;
    progress?: (s: string) => void;
    dims?: number;
  },
): Promise<{ reports: GraphReport[]; manifest: Manifest; diagnostics: readonly Diagnostic[] }> {
  const compiled = compileModelGraphs(ir, {
    emit: opts.emit,
    opset: opts.opset,
    weights: opts.weights,
    ...(opts.progress ? { progress: opts.progress } : {}),
    ...(opts.dims !== undefined ? { dims: opts.dims } : {}),
  });
  prepareOutputFolder(dir);
  const reports: GraphReport[] = [];
  const entries = [];
  const set = new OutputSet();
  try {
    for (const g of compiled.graphs) {
      opts.progress?.(`${ir.name}.${g.kind}: writing ${human(g.bytes, "B")}`);
      const { result, ms } = await writeGraph(g, dir, opts.externalData, set);
      const external = result.files[1];
      entries.push(external ? { ...g.entry, externalData: g.file + ".data" } : g.entry);
      reports.push({
        kind: g.kind,
        file: g.file,
        nodes: g.nodes,
        params: g.paramCount,
        bytes: result.bytes + result.externalBytes,
        externalBytes: result.externalBytes,
        lowerMs: g.lowerMs,
        writeMs: ms,
      });
    }
    const manifest: Manifest = { ...compiled.manifest, graphs: entries };
    await set.stage(join(dir, `${ir.name}.manifest.json`), JSON.stringify(manifest, null, 2) + "\n");
    await set.commit();
    return { reports, manifest, diagnostics: compiled.diagnostics };
  } finally {
    await set.discard();
  }
}
