// `npm run bench -- [options]`: what to measure and how long. Defaults give a full comparison in minutes on a
// quiet 2-core machine; --quick is a smoke run of every code path (smaller batches, fewer iterations, only the
// recipes' compile times).
import { Command, CommanderError, Option } from "commander";
import type { Device } from "./jobs.js";

export const PARTS = ["peak", "train", "infer", "compile", "profile", "data"] as const;
export type Part = (typeof PARTS)[number];

export interface RecipeRef {
  readonly label: string;
  readonly file: string;
  /** only when asked for by --recipes (a recipe too slow for a default CPU run) */
  readonly onRequest?: boolean;
}

/**
 * The default recipes: the Fashion-MNIST example and a ViT-S/16 at 96 px with 2 global + 4 local crops; on request,
 * DINOv2's ViT-S/14 recipe at 224 px (2 × 224 + 8 × 96 crops), the recipe the data bench feeds.
 */
export const RECIPES: readonly RecipeRef[] = [
  { label: "fmnist", file: "examples/fmnist-franca.vfm" },
  { label: "vits16-96", file: "bench/recipes/vits16-96.vfm" },
  { label: "dinov2-vits14", file: "bench/recipes/dinov2-vits14.vfm", onRequest: true },
];

/** The data bench's recipe: DINOv2 ViT-S/14's crops (2 × 224 + 8 × 96), augmentations and block masks. */
export const DATA_RECIPE = { spec: "specs/dinov2.vfm", model: "dinov2_vits14" } as const;

export interface BenchOptions {
  readonly device: Device;
  readonly threads: number;
  /** false (--no-spin): idle pool threads sleep instead of spinning, on both sides */
  readonly spin: boolean;
  readonly quick: boolean;
  readonly parts: ReadonlySet<Part>;
  readonly recipes: readonly RecipeRef[];
  /** training steps: warm-up then timed */
  readonly trainWarmup: number;
  readonly trainIters: number;
  /** vfmc's training steps per onnxruntime call (0: the plain step graph, one call per step) */
  readonly stepsPerCall: number;
  readonly inferWarmup: number;
  readonly inferIters: number;
  /** in --quick: the recipes are compiled with this batch (an `extends` of the recipe); undefined = the recipe's */
  readonly batchOverride?: number;
  readonly json?: string;
  readonly keep?: string;
  readonly verbose: boolean;
  readonly timeoutSeconds: number;
  /** data part: worker threads / processes per side, images per batch, the photo folder (built when absent) */
  readonly dataWorkers: number;
  readonly dataBatch: number;
  readonly photos?: string;
}

export class UsageError extends Error {}

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} ${v}: expected a whole number ≥ 0`);
    return n;
  };
}

interface Raw {
  device: Device;
  threads: number;
  spin: boolean;
  quick?: boolean;
  only?: string;
  recipes?: string;
  warmup?: number;
  iters?: number;
  stepsPerCall: number;
  batch?: number;
  json?: string;
  keep?: string;
  verbose?: boolean;
  timeout: number;
  dataWorkers?: number;
  dataBatch?: number;
  photos?: string;
}

/** Parses argv (without node and script); `--help` prints and returns undefined. */
export function parseOptions(argv: readonly string[], print: (s: string) => void): BenchOptions | undefined {
  const program = new Command("npm run bench --")
    .description(
      "Benchmark vfmc against PyTorch eager on the same recipes, side by side, in one run: training-step and " +
        "inference throughput (images/s) with ratios, MFU against a matmul peak measured in the same run, peak RSS " +
        "of one training step, compile times of every spec in specs/, and an onnxruntime profile of the train step. " +
        "Every measurement runs in a process of its own; numbers are medians with their min–max spread.",
    )
    .addOption(
      new Option(
        "--device <device>",
        "cpu (onnxruntime CPU vs PyTorch CPU), cuda or webgpu (vs PyTorch CUDA)",
      )
        .choices(["cpu", "cuda", "webgpu"])
        .default("cpu"),
    )
    .option(
      "--threads <n>",
      "threads per side (onnxruntime intra-op, torch.set_num_threads, OMP/BLAS)",
      positiveInt("--threads"),
      2,
    )
    .option(
      "--no-spin",
      "idle pool threads sleep instead of spinning, on both sides (onnxruntime allow_spinning 0, OMP_WAIT_POLICY=PASSIVE for PyTorch): use on a shared machine, where spinning threads fight other processes and PyTorch's OpenMP pool slows down many-fold",
    )
    .option("--quick", "smoke run: batch 2, 1 warm-up + 2 timed steps, compile times of the recipes only")
    .option("--only <parts>", `comma-separated subset of: ${PARTS.join(", ")}`)
    .option("--recipes <labels>", `comma-separated subset of: ${RECIPES.map((r) => r.label).join(", ")}`)
    .option(
      "--warmup <n>",
      "warm-up iterations before timing (training steps; inference uses 2×)",
      positiveInt("--warmup"),
    )
    .option(
      "--iters <n>",
      "timed training iterations: PyTorch steps, vfmc calls of --steps-per-call steps each, timed per step (inference uses 4×)",
      positiveInt("--iters"),
    )
    .option(
      "--steps-per-call <n>",
      "vfmc training steps per onnxruntime call, through the steps graph as `vfmc run` drives it (0: the plain step graph, one call per step)",
      positiveInt("--steps-per-call"),
      4,
    )
    .option(
      "--batch <n>",
      "compile the recipes with this batch instead of theirs (both sides use it)",
      positiveInt("--batch"),
    )
    .option("--json <file>", "also write every measurement as JSON")
    .option("--keep <dir>", "keep the compiled graphs, profiles and raw results in this folder")
    .option("--verbose", "show the children's output while they run")
    .option("--timeout <seconds>", "kill a measurement that runs longer", positiveInt("--timeout"), 1200)
    .option(
      "--data-workers <n>",
      "data part: batch-worker threads (vfmc) and DataLoader worker processes (PyTorch) (default: --threads)",
      positiveInt("--data-workers"),
    )
    .option(
      "--data-batch <n>",
      "data part: images per batch (default 32; 8 with --quick)",
      positiveInt("--data-batch"),
    )
    .option(
      "--photos <dir>",
      "data part: the photo set (default node_modules/.cache/vfmc-bench/photos, made by bench/data/make_photos.py when absent)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  npm run bench                          full CPU comparison (a few minutes on an idle 2-core machine)\n" +
        "  npm run bench -- --quick               smoke run of every measurement\n" +
        "  npm run bench -- --no-spin             on a machine other processes keep busy\n" +
        "  npm run bench -- --only train,profile --recipes fmnist --json out/bench.json\n" +
        "  npm run bench -- --device cuda         the same comparison on a GPU, PyTorch CUDA as the peer\n" +
        "  npm run bench -- --only data           data pipeline: vfmc vs torchvision ImageFolder + DataLoader on JPEG photos\n" +
        "  npm run bench -- --only data,train --recipes dinov2-vits14 --device cuda   how many cores feed one GPU\n" +
        "\nThe PyTorch peer runs under /usr/bin/python3 (Debian python3-torch); set VFMC_BENCH_PYTHON to use another.\n" +
        "Timings on a machine with other busy processes are noisy: compare ratios from one run, not across runs.\n",
    )
    .exitOverride()
    .configureOutput({ writeOut: print, writeErr: print });
  try {
    program.parse([...argv], { from: "user" });
  } catch (e) {
    if (
      e instanceof CommanderError &&
      (e.code === "commander.helpDisplayed" || e.code === "commander.version")
    )
      return undefined;
    if (e instanceof CommanderError) throw new UsageError(e.message.replace(/^error: /, ""));
    throw e;
  }
  const raw = program.opts<Raw>();
  const list = <T extends string>(
    v: string | undefined,
    known: readonly T[],
    flag: string,
  ): T[] | undefined => {
    if (v === undefined) return undefined;
    const items = v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((s) => !known.includes(s as T));
    if (bad.length > 0 || items.length === 0)
      throw new UsageError(`${flag} ${v}: expected some of ${known.join(", ")}`);
    return items as T[];
  };
  const parts = list(raw.only, PARTS, "--only") ?? [...PARTS];
  const labels = list(
    raw.recipes,
    RECIPES.map((r) => r.label),
    "--recipes",
  );
  const quick = raw.quick ?? false;
  const warmup = raw.warmup ?? 1;
  const iters = raw.iters ?? (quick ? 2 : 5);
  const batch = raw.batch ?? (quick ? 2 : undefined);
  if (batch === 0) throw new UsageError("--batch 0: a step needs at least one image");
  if (raw.threads === 0)
    throw new UsageError("--threads 0: give the thread count explicitly (2 compares like with like)");
  return {
    device: raw.device,
    threads: raw.threads,
    spin: raw.spin,
    quick,
    parts: new Set(parts),
    recipes: labels ? RECIPES.filter((r) => labels.includes(r.label)) : RECIPES.filter((r) => !r.onRequest),
    trainWarmup: warmup,
    trainIters: Math.max(1, iters),
    stepsPerCall: raw.stepsPerCall,
    inferWarmup: 2 * warmup,
    inferIters: Math.max(1, 4 * iters),
    ...(batch !== undefined ? { batchOverride: batch } : {}),
    ...(raw.json ? { json: raw.json } : {}),
    ...(raw.keep ? { keep: raw.keep } : {}),
    verbose: raw.verbose ?? false,
    timeoutSeconds: raw.timeout,
    dataWorkers: raw.dataWorkers ?? raw.threads,
    dataBatch: raw.dataBatch ?? (quick ? 8 : 32),
    ...(raw.photos ? { photos: raw.photos } : {}),
  };
}
