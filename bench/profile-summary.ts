// onnxruntime's profiler output (enableProfiling: a Chrome trace, one "Node" event per kernel run with its op type
// and execution provider) folded into the ops that take the time: where the second half of issue 7 (making the
// step fast) should look first.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface TraceEvent {
  readonly cat?: string;
  readonly name?: string;
  readonly dur?: number;
  readonly ts?: number;
  readonly args?: { readonly op_name?: string; readonly provider?: string };
}

export interface OpTime {
  readonly op: string;
  /** total microseconds over every profiled run */
  readonly us: number;
  readonly share: number;
  readonly calls: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly runs: number;
  readonly nodeUs: number;
  readonly providers: Record<string, number>;
  readonly ops: readonly OpTime[];
  /** the single slowest nodes (name, op, microseconds per run) */
  readonly nodes: readonly { readonly node: string; readonly op: string; readonly usPerRun: number }[];
}

/**
 * The newest `<prefix>*.json` in `dir`, summarised. The first `skipRuns` runs are left out: a warm-up run pays
 * one-off costs (first touch of output buffers, arena growth) that would otherwise look like slow kernels.
 */
export function summariseProfile(dir: string, prefix: string, skipRuns = 0, top = 15): ProfileSummary {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".json"))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const file = files[0];
  if (!file) throw new Error(`no onnxruntime profile ${prefix}*.json in ${dir}`);
  const events = JSON.parse(readFileSync(file, "utf8")) as TraceEvent[];
  const byOp = new Map<string, { us: number; calls: number }>();
  const byNode = new Map<string, { op: string; us: number }>();
  const providers: Record<string, number> = {};
  const runEnds = events
    .filter((e) => e.cat === "Session" && e.name === "model_run")
    .map((e) => (e.ts ?? 0) + (e.dur ?? 0))
    .sort((a, b) => a - b);
  const skipUntil = skipRuns > 0 ? (runEnds[skipRuns - 1] ?? Infinity) : -Infinity;
  const runs = Math.max(0, runEnds.length - skipRuns);
  let nodeUs = 0;
  for (const e of events) {
    if (e.cat !== "Node" || !e.name?.endsWith("_kernel_time") || e.dur === undefined) continue;
    if ((e.ts ?? 0) <= skipUntil) continue;
    const op = e.args?.op_name ?? "?";
    const o = byOp.get(op) ?? { us: 0, calls: 0 };
    o.us += e.dur;
    o.calls++;
    byOp.set(op, o);
    const node = e.name.slice(0, -"_kernel_time".length);
    const n = byNode.get(node) ?? { op, us: 0 };
    n.us += e.dur;
    byNode.set(node, n);
    const p = e.args?.provider ?? "?";
    providers[p] = (providers[p] ?? 0) + e.dur;
    nodeUs += e.dur;
  }
  const ops = [...byOp]
    .map(([op, v]) => ({ op, us: v.us, share: nodeUs > 0 ? v.us / nodeUs : 0, calls: v.calls }))
    .sort((a, b) => b.us - a.us)
    .slice(0, top);
  const nodes = [...byNode]
    .map(([node, v]) => ({ node, op: v.op, usPerRun: v.us / Math.max(1, runs) }))
    .sort((a, b) => b.usPerRun - a.usPerRun)
    .slice(0, top);
  return { file, runs, nodeUs, providers, ops, nodes };
}
