// A training run's metrics.jsonl (one JSON object per step, written by the trainer: `step`, losses, grad norms,
// schedule values, timings, and k-NN accuracies on the steps that evaluated) → series per metric name.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { fsReason } from "../../files/fs-errors.js";
import { readInputFile } from "../../files/inputs.js";

export interface Series {
  readonly name: string;
  readonly steps: number[];
  readonly values: number[];
}

export interface RunMetrics {
  readonly file: string;
  readonly series: ReadonlyMap<string, Series>;
  readonly lastStep: number;
  readonly lines: number;
  /** malformed lines that were skipped (a run killed mid-write leaves a partial last line) */
  readonly skipped: number;
  /** run.json beside metrics.jsonl, when present */
  readonly run?: Readonly<Record<string, unknown>>;
}

function fail(what: string, why: string): never {
  throw new DiagnosticError([makeDiagnostic("MetricsUnreadable", undefined, [what, why])]);
}

/** Numeric fields of one record, nested objects flattened with dots (`{"knn": {"top1": …}}` → `knn.top1`). */
function numericFields(obj: Record<string, unknown>, prefix: string, out: Map<string, number>): void {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix + k;
    if (typeof v === "number" && Number.isFinite(v)) out.set(name, v);
    else if (v && typeof v === "object" && !Array.isArray(v))
      numericFields(v as Record<string, unknown>, name + ".", out);
  }
}

export function parseMetrics(text: string, file: string): Omit<RunMetrics, "run"> {
  const series = new Map<string, Series>();
  const lines = text.split("\n");
  let skipped = 0;
  let count = 0;
  let lastStep = 0;
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = undefined;
    }
    const step = (rec as { step?: unknown } | undefined)?.step;
    if (!rec || typeof rec !== "object" || typeof step !== "number") {
      // only a partial last line is forgiven
      if (lines.slice(i + 1).some((l) => l.trim() !== ""))
        fail(file, `line ${i + 1} is not a JSON object with a numeric "step"`);
      skipped++;
      return;
    }
    count++;
    lastStep = Math.max(lastStep, step);
    const fields = new Map<string, number>();
    numericFields(rec as Record<string, unknown>, "", fields);
    fields.delete("step");
    for (const [name, v] of fields) {
      let s = series.get(name);
      if (!s) series.set(name, (s = { name, steps: [], values: [] }));
      s.steps.push(step);
      s.values.push(v);
    }
  });
  if (count === 0) fail(file, "it holds no metric lines (has the run taken a step yet?)");
  return { file, series, lastStep, lines: count, skipped };
}

/** Reads `<dir>/metrics.jsonl` (or the file itself) and `run.json` beside it. */
export function readRunMetrics(path: string): RunMetrics {
  if (!existsSync(path)) fail(path, "no such file or folder");
  const file = statSync(path).isDirectory() ? join(path, "metrics.jsonl") : path;
  if (!existsSync(file)) fail(path, "the folder has no metrics.jsonl");
  let text: string;
  try {
    text = readInputFile(file, "metrics.jsonl file").toString("utf8");
  } catch (e) {
    if (e instanceof DiagnosticError) throw e;
    return fail(file, fsReason(e));
  }
  const parsed = parseMetrics(text, file);
  const runFile = join(file, "..", "run.json");
  let run: Record<string, unknown> | undefined;
  if (existsSync(runFile)) {
    try {
      run = JSON.parse(readInputFile(runFile, "run.json file").toString("utf8")) as Record<string, unknown>;
    } catch {
      run = undefined;
    }
  }
  return { ...parsed, ...(run ? { run } : {}) };
}
