// Golden training curves that hold on any x86-64 or arm64 CPU and still catch a changed gradient.
//
// A short fixed-seed run of a spec (GOLDEN_ARGS) is compared step by step with examples/baselines/<spec>.loss.txt:
// every loss and every per-module gradient norm the run logs. Float32 rounding differs between CPUs (another
// matrix kernel, another summation order), and some quantities amplify it: KoLeo on four images takes a log of the
// nearest-neighbour distance, so a rounding difference that swaps two near-equal distances moves the curve by
// percent, while the first steps agree to 1e-7. One fixed tolerance is either too tight for the first or too loose
// for the second, so each value carries its own: the spread that rounding alone causes at that step, measured when
// the baseline is accepted by training the same run under onnxruntime's other graph-optimisation levels (which
// fuse and order the arithmetic differently, as another CPU's kernels do: the curve this AMD EPYC produced differed
// from the baseline written on another machine exactly as its own "basic" level differs from "all"), times
// SPREAD_FACTOR, never below REL_FLOOR·|value| + ABS_FLOOR. Where rounding is tame — the first steps, every
// gradient norm before the chaos — the tolerance is 2e-5 relative, and a broken gradient shows there at once
// (trainer-golden-broken.test.ts keeps that proof).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { prepareRun, type RunCliOptions } from "../../src/cli/commands/run.js";
import type { Io } from "../../src/cli/io.js";
import { clearInputs } from "../../src/files/inputs.js";
import { METRICS_FILE, trainLoop } from "../../src/runtime/trainer/loop.js";
import type { TrainJob } from "../../src/runtime/trainer/job.js";

/** The golden run: 20 steps of batch 4 on the synthetic data, one thread, no evaluation, no checkpoints. */
export const GOLDEN_ARGS = [
  "--steps",
  "20",
  "--batch",
  "4",
  "--seed",
  "0",
  "--threads",
  "1",
  "--data-workers",
  "0",
  "--data",
  "synthetic",
  "--no-knn",
  "--checkpoint-every",
  "0",
];
const OPTIONS: RunCliOptions = {
  train: true,
  steps: "20",
  batch: "4",
  seed: "0",
  threads: "1",
  dataWorkers: "0",
  data: "synthetic",
  knn: false,
  checkpointEvery: "0",
  device: "cpu",
  evalEvery: "0",
  k: "20",
  temperature: "0.07",
  stepsPerCall: "auto",
};

export const SPREAD_FACTOR = 4;
export const REL_FLOOR = 2e-5;
export const ABS_FLOOR = 1e-6;
/** the optimisation levels whose difference from "all" measures the rounding spread */
export const SPREAD_LEVELS = ["basic", "disabled"] as const;

export interface Curve {
  /** the logged losses and gradient norms, in the order the run logs them */
  readonly columns: readonly string[];
  /** one row per step (1-based), a value per column */
  readonly rows: readonly (readonly number[])[];
}

export interface Baseline extends Curve {
  readonly tolerances: readonly (readonly number[])[];
}

const io: Io = { out: () => undefined, err: () => undefined };

/** Trains `spec` with the golden settings into `out` (as `vfmc run --train` does, in this thread). */
export async function goldenRun(
  spec: string,
  out: string,
  optimization?: TrainJob["optimization"],
): Promise<Curve> {
  clearInputs();
  const { job } = await prepareRun(spec, { ...OPTIONS, out }, io);
  await trainLoop(optimization ? { ...job, optimization } : job, {
    emit: () => undefined,
    stopRequested: () => undefined,
  });
  const lines = readFileSync(join(out, METRICS_FILE), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number>)
    .filter((l) => "loss" in l);
  const columns = Object.keys(lines[0]!).filter((k) => k.startsWith("loss") || k.startsWith("grad_norm"));
  return { columns, rows: lines.map((l) => columns.map((c) => l[c]!)) };
}

/** Each value's tolerance from the runs under the other optimisation levels (same columns, same steps). */
export function tolerances(reference: Curve, others: readonly Curve[]): number[][] {
  return reference.rows.map((row, i) =>
    row.map((v, j) => {
      const spread = Math.max(0, ...others.map((o) => Math.abs(o.rows[i]![j]! - v)));
      return Math.max(REL_FLOOR * Math.abs(v) + ABS_FLOOR, SPREAD_FACTOR * spread);
    }),
  );
}

export function formatBaseline(spec: string, b: Baseline): string {
  const head = [
    `# vfmc run --train ${spec} ${GOLDEN_ARGS.join(" ")}`,
    `# each value ± its tolerance: max(${REL_FLOOR}·|value| + ${ABS_FLOOR}, ${SPREAD_FACTOR} × the largest difference`,
    `# from this curve when the run uses onnxruntime's ${SPREAD_LEVELS.join(" or ")} graph optimisation) — see`,
    `# test/harness/golden-curve.ts; \`npm run baselines:accept\` measures it again`,
    `# step ${b.columns.join(" ")} ± ${b.columns.join(" ")}`,
  ];
  const rows = b.rows.map(
    (row, i) =>
      `${i + 1} ${row.map((v) => v.toPrecision(9)).join(" ")} ± ${b.tolerances[i]!.map((t) => t.toPrecision(2)).join(" ")}`,
  );
  return [...head, ...rows].join("\n") + "\n";
}

export function parseBaseline(text: string): Baseline {
  const lines = text.split("\n");
  const header = lines.find((l) => l.startsWith("# step "));
  if (!header) throw new Error("the baseline has no '# step …' header: accept it again");
  const columns = header.slice("# step ".length).split(" ± ")[0]!.trim().split(/\s+/);
  const rows: number[][] = [];
  const tols: number[][] = [];
  for (const l of lines) {
    if (!l.trim() || l.startsWith("#")) continue;
    const [values, tol] = l.split(" ± ");
    rows.push(values!.trim().split(/\s+/).slice(1).map(Number));
    tols.push(tol!.trim().split(/\s+/).map(Number));
  }
  return { columns, rows, tolerances: tols };
}

/** Every value of `got` outside its baseline tolerance, as readable lines (empty: the curves agree). */
export function differences(want: Baseline, got: Curve): string[] {
  if (got.columns.join(" ") !== want.columns.join(" "))
    return [`columns ${got.columns.join(", ")}, baseline ${want.columns.join(", ")}`];
  if (got.rows.length !== want.rows.length) return [`${got.rows.length} steps, baseline ${want.rows.length}`];
  const off: string[] = [];
  got.rows.forEach((row, i) =>
    row.forEach((v, j) => {
      const w = want.rows[i]![j]!;
      const t = want.tolerances[i]![j]!;
      if (!(Math.abs(v - w) <= t))
        off.push(`step ${i + 1} ${want.columns[j]}: ${v} vs baseline ${w} ± ${t.toPrecision(2)}`);
    }),
  );
  return off;
}
