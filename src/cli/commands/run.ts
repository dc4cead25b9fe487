// `vfmc run --train <spec>`: train a model on onnxruntime. The spec (with any --steps/--batch/--seed overrides,
// and --resolution for high-resolution adaptation) is compiled once per content hash into <out>/compiled/<hash>/
// (../train-graph.ts), the training loop runs in a worker thread (src/runtime/trainer), progress goes to stderr,
// per-step metrics and k-NN accuracies to <out>/metrics.jsonl, checkpoints to <out>/checkpoint.safetensors, and the
// run ends with a k-NN accuracy of the teacher against the weights it started from (random init, or --init).
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { DiagnosticError, makeDiagnostic, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { renderJson } from "../../diagnostics/render.js";
import type { Manifest } from "../../lower/manifest.js";
import { hrftModel } from "../../lower/hrft.js";
import { checkOutputPath, prepareOutputFolder } from "../../files/output.js";
import type { ModelIR } from "../../ir/model.js";
import { checkpointMetadata, checkpointPath, latestCheckpoint } from "../../runtime/checkpoint/checkpoint.js";
import { dataSourceHelp, describeDataSpec, pinDataSpec } from "../../runtime/data/source.js";
import { evalSplit } from "../../runtime/eval/eval-split.js";
import { KNN_DEFAULTS } from "../../runtime/eval/knn.js";
import { formatDuration, formatKnn, Progress } from "../../runtime/progress.js";
import { DEVICES } from "../../runtime/session.js";
import type { TrainJob, TrainSummary } from "../../runtime/trainer/job.js";
import { modelHash, withOverrides } from "../../runtime/trainer/overrides.js";
import { loopModelOf, METRICS_FILE, RUN_RECORD, SKIPPED_FILE } from "../../runtime/trainer/loop.js";
import { knnOverPixels, lossesLine, lossesOf, plateausOf } from "../../runtime/trainer/learning.js";
import { startTraining } from "../../runtime/trainer/trainer.js";
import { handleStopSignals } from "../../runtime/signals.js";
import { renderText } from "../../diagnostics/render.js";
import { checkTrainingFits } from "../../runtime/resources.js";
import { checkDeviceRuns } from "../../runtime/device-check.js";
import { exitCodeOf, guarded, guardOptions, printDiagnostics, processIo, type Io } from "../io.js";
import {
  badOption,
  dataSpecFor,
  deviceOption,
  intOption,
  kList,
  loadModel,
  positive,
  setOption,
  setOverrides,
} from "../options.js";
import { checkInit, checkWeights, startedFrom } from "../run-init.js";
import { compiledTrainGraph } from "../train-graph.js";
import type { RegisterCommand } from "./index.js";

export interface RunCliOptions {
  train?: boolean;
  model?: string;
  data?: string;
  evalData?: string;
  steps?: string;
  epochs?: string;
  batch?: string;
  seed?: string;
  device: string;
  threads?: string;
  dataWorkers?: string;
  out?: string;
  resume?: boolean;
  restart?: boolean;
  init?: string;
  weights?: string;
  resolution?: string;
  strictData?: boolean;
  checkpointEvery?: string;
  stepsPerCall?: string;
  evalEvery: string;
  knn: boolean;
  k: string;
  temperature: string;
  bank?: string;
  queries?: string;
  logEvery?: string;
  json?: boolean;
  /** --set key=value, in command-line order */
  set?: string[];
}

function summaryJson(s: TrainSummary, extra: Record<string, unknown>, manifest: Manifest): unknown {
  const knn = (at: "random-init" | "initial" | "raw-pixels" | "final") => {
    const p =
      at === "final"
        ? [...s.knn].reverse().find((x) => typeof x.at === "number")
        : s.knn.find((x) => x.at === at);
    return p
      ? {
          step: typeof p.at === "number" ? p.at : 0,
          results: p.report.results,
          bank: p.report.bank,
          queries: p.report.queries,
        }
      : null;
  };
  return {
    ...extra,
    model: s.model,
    steps: s.steps,
    startStep: s.startStep,
    endStep: s.endStep,
    totalSteps: s.totalSteps,
    batch: s.batch,
    device: s.device,
    threads: s.threads,
    wallSeconds: round(s.wallSeconds, 2),
    loopSeconds: round(s.loopSeconds, 2),
    imgPerSec: round(s.imgPerSec, 2),
    dataWaitShare: round(s.dataWaitShare, 4),
    firstLosses: lossesOf(s.firstMetrics),
    finalLosses: lossesOf(s.finalMetrics),
    uniformLosses: plateausOf(manifest),
    finalMonitors: Object.fromEntries(
      Object.entries(s.finalMetrics).filter(([k]) => !(k in lossesOf(s.finalMetrics))),
    ),
    warnings: JSON.parse(renderJson(s.warnings)) as unknown,
    knn: {
      randomInit: knn("random-init"),
      ...(s.knn.some((p) => p.at === "initial") ? { initial: knn("initial") } : {}),
      trained: knn("final"),
      rawPixels: knn("raw-pixels"),
      during: s.knn
        .filter((p) => typeof p.at === "number")
        .map((p) => ({ step: p.at, results: p.report.results })),
    },
    skippedFiles: s.skippedFiles,
    checkpoint: s.checkpoint ?? null,
    stoppedBy: s.stoppedBy ?? null,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** An evaluation problem as the warning that k-NN is off for this run. */
function knnSkipped(problem: Diagnostic): Diagnostic {
  return makeDiagnostic("KnnSkipped", undefined, [
    problem.message,
    `${problem.hint ? `${problem.hint}; ` : ""}pass --no-knn to train without evaluating`,
  ]);
}

export interface PreparedRun {
  readonly job: TrainJob;
  readonly logEvery: number;
  readonly dataText: string;
}

/** Everything up to starting the loop: options checked, spec loaded and overridden, graph compiled (or cached). */
export async function prepareRun(spec: string, opts: RunCliOptions, io: Io): Promise<PreparedRun> {
  const C = "run";
  // every option is checked before anything is read, compiled or created
  if (!opts.train) throw badOption(C, "vfmc run needs a mode: --train (train the model of a spec)");
  const device = deviceOption(C, opts.device);
  if (opts.steps !== undefined && opts.epochs !== undefined)
    throw badOption(C, "give --steps or --epochs, not both");
  const steps = intOption(C, "steps", opts.steps, 1);
  const epochs = opts.epochs !== undefined ? positive(C, "epochs", opts.epochs) : undefined;
  const batch = intOption(C, "batch", opts.batch, 1);
  const seed = intOption(C, "seed", opts.seed, 0);
  const threads = intOption(C, "threads", opts.threads, 0) ?? availableParallelism();
  const dataWorkers = intOption(C, "data-workers", opts.dataWorkers, 0);
  const evalEvery = intOption(C, "eval-every", opts.evalEvery, 0)!;
  const ks = kList(C, opts.k);
  const temperature = positive(C, "temperature", opts.temperature);
  const bankLimit = intOption(C, "bank", opts.bank, 1);
  const queryLimit = intOption(C, "queries", opts.queries, 1);
  const checkpointEveryOption = intOption(C, "checkpoint-every", opts.checkpointEvery, 0);
  const logEveryOption = intOption(C, "log-every", opts.logEvery, 1);
  const stepsPerCall =
    opts.stepsPerCall === "auto" ? undefined : intOption(C, "steps-per-call", opts.stepsPerCall, 1);
  if (opts.resume && opts.restart) throw badOption(C, "give --resume or --restart, not both");
  if (opts.init !== undefined && opts.resume)
    throw badOption(
      C,
      "give --init or --resume, not both: --init starts a new run from a checkpoint's backbone; to continue " +
        "an interrupted --init run, drop --init (keep --resolution) and --resume it",
    );
  if (opts.weights !== undefined && opts.init !== undefined)
    throw badOption(
      C,
      "give --weights or --init, not both: --weights continues pretraining (heads from the checkpoint where it has " +
        "them), --init adapts a backbone to a new --resolution with fresh heads",
    );
  if (opts.weights !== undefined && opts.resume)
    throw badOption(
      C,
      "give --weights or --resume, not both: --weights starts a new run from a checkpoint; to continue an " +
        "interrupted --weights run, drop --weights and --resume it",
    );
  if (opts.resolution !== undefined && opts.init === undefined && !opts.resume)
    throw badOption(C, `--resolution ${opts.resolution} needs --init CKPT: the checkpoint to adapt to it`);
  const resolution = intOption(C, "resolution", opts.resolution, 1);

  const overrides = setOverrides(opts.set);
  const { ir: specIr, warnings } = loadModel(spec, opts.model, C, overrides);
  if (warnings.length > 0) printDiagnostics(io, warnings, false);
  const overridden = withOverrides(specIr, {
    ...(steps !== undefined ? { steps } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(batch !== undefined ? { batch } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });
  if (overridden.train.totalSteps < 1) throw noSteps(opts, specIr);
  // the train graph must be built at the new grid, so HRFT changes the model before anything is compiled
  const ir = resolution !== undefined ? hrftModel(overridden, resolution) : overridden;
  checkTrainingFits(ir, batch !== undefined ? `--batch ${batch}` : `train.batch ${ir.train.batch}`);
  const init =
    opts.init !== undefined
      ? await checkInit(ir, opts.init, io)
      : opts.weights !== undefined
        ? await checkWeights(ir, opts.weights, io)
        : undefined;
  // the sources are opened here, so an empty folder or a list line pointing nowhere stops the run before it starts
  const pinnedData = pinDataSpec(dataSpecFor(ir, opts.data));
  const pinnedEval = opts.evalData !== undefined ? pinDataSpec(dataSpecFor(ir, opts.evalData)) : undefined;
  const data = pinnedData.spec;
  const evalData = pinnedEval?.spec;
  printDiagnostics(
    io,
    [...(pinnedData.source.warnings ?? []), ...(pinnedEval?.source.warnings ?? [])],
    false,
  );
  let knnOn = opts.knn;
  if (knnOn) {
    const split = evalSplit(
      { source: pinnedData.source, text: describeDataSpec(data) },
      pinnedEval && evalData ? { source: pinnedEval.source, text: describeDataSpec(evalData) } : undefined,
      "k-NN evaluation",
    );
    if ("problem" in split) {
      knnOn = false;
      printDiagnostics(io, [knnSkipped(split.problem)], false);
    } else if (split.warnings.length > 0) printDiagnostics(io, split.warnings, false);
  }
  const out = opts.out ?? join("runs", ir.name);
  const existing = latestCheckpoint(out);
  if (opts.resume && !existing)
    throw new DiagnosticError([makeDiagnostic("ResumeWithoutCheckpoint", undefined, [out])]);
  // the run's own files must not be anything this command reads (--init out/checkpoint.safetensors --restart)
  for (const f of [
    checkpointPath(out),
    join(out, METRICS_FILE),
    join(out, RUN_RECORD),
    join(out, SKIPPED_FILE),
  ])
    checkOutputPath(f);
  if (existing && !opts.resume && !opts.restart) {
    const md = await checkpointMetadata(existing);
    throw new DiagnosticError([
      makeDiagnostic("RunFolderHasCheckpoint", undefined, [out, md.step ?? "?", md.model ?? "another model"]),
    ]);
  }
  prepareOutputFolder(out);
  const note = (s: string) => {
    if (!opts.json) io.err(s);
  };
  const total = ir.train.totalSteps;
  const checkpointEvery = checkpointEveryOption ?? Math.min(ir.train.epochLength, total);
  const logEvery = logEveryOption ?? Math.max(1, Math.round(total / 20));

  const compiled = await compiledTrainGraph(ir, out, note);
  // what a checkpoint must match: the model and its training recipe (and the weights it started from), not the compiler
  const from = init ?? (opts.resume ? startedFrom(out) : undefined);
  const runHash = modelHash(ir, from ? { init: from.sha256, resolution: ir.export.resolution } : {});
  const dataText = describeDataSpec(data);
  const job: TrainJob = {
    ir,
    manifest: compiled.manifest,
    trainModel: compiled.model,
    stepsModel: compiled.stepsModel,
    ...(stepsPerCall !== undefined ? { stepsPerCall } : {}),
    outDir: out,
    identity: {
      model: ir.name,
      runHash,
      seed: ir.train.seed,
      data: dataText,
      ...(opts.set?.length ? { set: opts.set } : {}),
    },
    record: {
      spec,
      model: ir.name,
      data: dataText,
      steps: total,
      batch: ir.train.batch,
      seed: ir.train.seed,
      device,
      ...(opts.set?.length ? { set: opts.set } : {}),
      // what each loss is when predictions are uniform (Σ log K): `vfmc report` draws it
      uniform: plateausOf(compiled.manifest),
      ...(from ? { init: from.file, initSha256: from.sha256, resolution: ir.export.resolution } : {}),
      ...(opts.weights !== undefined ? { weights: opts.weights } : {}),
      runHash,
    },
    data,
    ...(evalData ? { evalData } : {}),
    device,
    threads,
    ...(dataWorkers !== undefined ? { dataWorkers } : {}),
    resume: opts.resume ?? false,
    ...(init && opts.init !== undefined ? { init: init.file } : {}),
    ...(init && opts.weights !== undefined ? { weights: init.file } : {}),
    ...(opts.strictData ? { strictData: true } : {}),
    checkpointEvery,
    evalEvery,
    knn: knnOn
      ? {
          enabled: true,
          k: ks,
          temperature,
          ...(bankLimit ? { bankLimit } : {}),
          ...(queryLimit ? { queryLimit } : {}),
        }
      : { enabled: false },
  };
  // an accelerator that cannot run the graph is a diagnostic now, not an abort after the first step
  await checkDeviceRuns(loopModelOf(job) ?? job.trainModel, device, ir, note);
  return { job, logEvery, dataText };
}

/** --steps/--epochs (or the spec) that leave nothing to train: which, and how many steps one epoch is. */
function noSteps(opts: RunCliOptions, ir: ModelIR): DiagnosticError {
  const L = ir.train.epochLength;
  const what =
    opts.epochs !== undefined
      ? `--epochs ${opts.epochs} × epoch_length ${L}`
      : `train.epochs ${ir.train.epochs} × epoch_length ${L}`;
  const steps = Math.round((opts.epochs !== undefined ? Number(opts.epochs) : ir.train.epochs) * L);
  return new DiagnosticError([
    makeDiagnostic("RunHasNoSteps", undefined, [
      what,
      steps,
      `an epoch is ${L} steps here: give --epochs ${(1 / L).toPrecision(2)} or more, or --steps N`,
    ]),
  ]);
}

async function runTrain(spec: string, opts: RunCliOptions, io: Io, tty: boolean): Promise<number> {
  const { job, logEvery, dataText } = await prepareRun(spec, opts, io);
  const out = job.outDir;
  const note = (s: string) => {
    if (!opts.json) io.err(s);
  };
  const progress = new Progress({
    tty: tty && !opts.json,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
    every: logEvery,
    line: (t) => note(t),
    raw: (t) => {
      if (!opts.json) process.stderr.write(t);
    },
  });
  // what a signal may lose: nothing before this run's first step; after it, the steps since the last checkpoint
  let stepped = false;
  let stopping = false;
  let lastCheckpoint: { step: number; path: string } | undefined;
  const run = startTraining(job, {
    onEvent: (e) => {
      if (e.type === "step") stepped = true;
      if (e.type === "checkpoint") lastCheckpoint = { step: e.step, path: e.path };
      // a skipped image is a warning: on stderr even when stdout carries the --json summary
      if (e.type === "skipped" && opts.json)
        printDiagnostics(
          io,
          [makeDiagnostic("DataImageSkipped", undefined, [e.source, e.reason, e.list])],
          false,
        );
      // the stop's own checkpoint is announced once, by the TrainInterrupted line below
      if (!(stopping && e.type === "checkpoint")) progress.onEvent(e);
    },
  });
  const line = (d: ReturnType<typeof makeDiagnostic>): string => {
    progress.finish();
    return renderText(d);
  };
  const release = handleStopSignals({
    first: (sig) => {
      if (!stepped) return { now: line(makeDiagnostic("StoppedBeforeTraining", undefined, [sig, out])) };
      stopping = true;
      run.stop(sig);
      return line(makeDiagnostic("TrainStopping", undefined, [sig]));
    },
    again: (sig) => {
      const kept = lastCheckpoint
        ? `the last complete checkpoint (step ${lastCheckpoint.step}) is ${lastCheckpoint.path}`
        : job.resume
          ? `the checkpoint it resumed from, ${checkpointPath(out)}, is unchanged`
          : undefined;
      const hint = kept
        ? "continue with the same command and --resume"
        : `${out} holds what it held before (a half-written file is removed by the next run)`;
      return line(makeDiagnostic("StoppedAtOnce", undefined, [sig, kept ?? "this run saved nothing", hint]));
    },
    ...(io === processIo ? {} : { print: (t: string) => io.err(t) }),
  });
  let summary: TrainSummary;
  try {
    summary = await run.done;
  } finally {
    release();
    progress.finish();
  }

  const extra = { spec, out, data: dataText, metrics: join(out, "metrics.jsonl") };
  if (summary.stoppedBy) {
    const d = makeDiagnostic("TrainInterrupted", undefined, [
      summary.stoppedBy,
      summary.endStep,
      summary.checkpoint ?? "(none)",
    ]);
    if (opts.json) io.out(JSON.stringify(summaryJson(summary, extra, job.manifest), null, 2));
    printDiagnostics(io, [d], false);
    return summary.stoppedBy === "SIGTERM" ? 143 : 130;
  }
  if (opts.json) {
    io.out(JSON.stringify(summaryJson(summary, extra, job.manifest), null, 2));
    return 0;
  }
  const ratio = knnOverPixels(summary.knn);
  const lines = [
    `trained ${summary.steps} steps (${summary.startStep} → ${summary.endStep}) in ${formatDuration(summary.wallSeconds)}: ` +
      `${summary.imgPerSec.toFixed(1)} img/s, ${(100 * summary.dataWaitShare).toFixed(1)}% of the step time waiting for data`,
    // no losses line when this invocation trained nothing (a --resume of a finished run)
    ...(summary.steps > 0 ? [lossesLine(summary, plateausOf(job.manifest))] : []),
    ...summary.knn.map(formatKnn),
    ...(ratio !== undefined ? [`k-NN top-1 = ${ratio.toFixed(2)} × the raw pixels'`] : []),
    ...(summary.skippedFiles > 0
      ? [`${summary.skippedFiles} image(s) could not be used and were replaced: ${join(out, SKIPPED_FILE)}`]
      : []),
    `checkpoint: ${summary.checkpoint ?? "(none)"}   metrics: ${extra.metrics}`,
  ];
  io.out(lines.join("\n"));
  return exitCodeOf([]);
}

export const registerRun: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("run")
    .description("train a spec's model on onnxruntime (CPU by default) and evaluate it with k-NN")
    .argument("<spec>", "a .vfm file")
    .option("--train", "train the model (the mode of `vfmc run`)")
    .option("--model <name>", "the model to train (default: the file's only model)")
    .option(
      "--data <src>",
      "training images: a folder of images, list:FILE, shards:PATTERN, idx:PATH, synthetic[:SEED] (see below)",
      "synthetic",
    )
    .option("--eval-data <src>", "k-NN queries (default: the held-out split of --data)")
    .option(
      "--steps <n>",
      "optimiser steps (default: the spec's epochs × epoch_length); schedules stretch to fit",
    )
    .option("--epochs <e>", "run length in the spec's epochs, instead of --steps")
    .option(
      "--batch <b>",
      "images per step (default: the spec's train.batch; recompiles; lr scaling re-applied)",
    )
    .option(
      "--seed <s>",
      "seed of initialisation, data order, crops, masks and drop path (default: train.seed)",
    )
    .addOption(setOption())
    .option("--device <d>", `execution provider: ${DEVICES.join(", ")}`, "cpu")
    .option("--threads <t>", "onnxruntime threads (default: all cores)")
    .option(
      "--data-workers <n>",
      "threads preparing batches ahead (0: in the training thread; default min(4, cores − 1))",
    )
    .option("-o, --out <dir>", "run folder: compiled graphs, checkpoint, metrics (default runs/<model>)")
    .option("--resume", "continue from the checkpoint in --out")
    .option(
      "--restart",
      "train from step 0 although --out holds a checkpoint (replaced at the first checkpoint)",
    )
    .option(
      "--init <ckpt>",
      "start from a checkpoint's backbone (its teacher) with fresh heads, as a new run (high-resolution adaptation)",
    )
    .option(
      "--weights <ckpt>",
      "continue pretraining from released or earlier weights (DINOv2/Franca layouts): student and teacher from its backbone, heads from it where it has them",
    )
    .option(
      "--strict-data",
      "stop at the first image that cannot be used (corrupt, truncated, unreadable …) instead of skipping it with a warning",
    )
    .option(
      "--resolution <px>",
      "with --init: train global crops of px (a multiple of the patch); the checkpoint's pos_embed is resized once",
    )
    .option(
      "--checkpoint-every <n>",
      "write a checkpoint every n steps, and always at the end (default: one epoch; 0: only at the end)",
    )
    .option(
      "--steps-per-call <n>",
      "training steps per onnxruntime call (CPU, CUDA): the state stays inside onnxruntime between them; auto = " +
        "about 15 s per call, at least 20 calls per run; 1 = the plain step graph: progress after every step and the " +
        "least memory (ViT-S/16 recipe: 3.8 instead of 5.5 GB, 5–10 % slower)",
      "auto",
    )
    .option("--eval-every <n>", "also run k-NN every n steps (0: only before and after training)", "0")
    .option("--no-knn", "skip the k-NN evaluations")
    .option("--k <list>", "k-NN neighbour counts, comma-separated", KNN_DEFAULTS.k.join(","))
    .option("--temperature <t>", "k-NN vote temperature", String(KNN_DEFAULTS.temperature))
    .option("--bank <n>", "use at most n training images as the k-NN memory bank (default: all)")
    .option("--queries <n>", "use at most n held-out images as k-NN queries (default: all)")
    .option("--log-every <n>", "without a terminal, print a progress line every n steps (default: total/20)")
    .option(
      "--json",
      "print a JSON summary (steps, wall time, img/s, losses, k-NN, data-wait share) instead of text",
    )
    .addHelpText(
      "after",
      "\nThe spec is compiled once per content hash into <out>/compiled/<hash>/. Each step evaluates the schedules and\n" +
        "prepares a batch (multi-crop, masks) in worker threads; one onnxruntime call runs several steps (a Loop\n" +
        "around the training-step graph; checkpoints and evaluations fall on call boundaries), the state (student,\n" +
        "teacher, AdamW moments, centers, step) carried inside it. Ctrl-C or SIGTERM stops after the current call\n" +
        "and writes a checkpoint; --resume continues it (on CPU, bit-identically to an uninterrupted run). A loss\n" +
        "that becomes NaN or infinite stops the run and keeps the last good checkpoint. k-NN accuracies are written to\n" +
        'metrics.jsonl too ({"step": S, "knn": {"top1@20": …}}), step 0 being the weights the run starts from.\n' +
        "Images that cannot be used are replaced by others and named in a warning, counted on the progress line\n" +
        "and in metrics.jsonl (skipped_files), and listed in <out>/skipped-files.txt (--strict-data: stop instead).\n" +
        "Data sources (--data, --eval-data; docs/data.md):\n" +
        dataSourceHelp() +
        "\n" +
        "--device webgpu|cuda: the training graph is first run once in a separate process, so a provider that cannot\n" +
        "run it is a diagnostic naming the node and its spec line, before anything is trained or written. WebGPU keeps\n" +
        "the state in GPU buffers between steps. `vfmc doctor` says what each provider needs here and how to install it.\n" +
        "Examples:\n" +
        "  vfmc run --train examples/franca-tiny.vfm\n" +
        "  vfmc run --train examples/fmnist-franca.vfm --data idx:/usr/share/datasets/fashion-mnist --steps 2000 --out runs/fmnist\n" +
        "  vfmc run --train examples/franca-tiny.vfm --resume --json\n" +
        "  vfmc run --train examples/franca-tiny.vfm --data ~/photos --steps 500   # class folders, or photos/train + photos/val\n" +
        "  vfmc run --train specs/dinov2.vfm --model dinov2_vits14 --weights dinov2_vits14.safetensors --data ~/photos\n" +
        "  vfmc run --train examples/franca-tiny.vfm --init runs/franca_tiny/checkpoint.safetensors --resolution 40 \\\n" +
        "      --steps 100 --out runs/franca_tiny_40   # HRFT: continue at 40 px, heads fresh (docs/weights.md, section 5)\n",
    )
    .action(async (spec: string, opts: RunCliOptions) => {
      const tty = io === processIo && Boolean(process.stderr.isTTY);
      result.code = await guarded(io, guardOptions(program, opts), () => runTrain(spec, opts, io, tty));
    });
};
