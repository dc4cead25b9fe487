// `vfmc eval <spec> --weights CKPT` with a frozen-feature protocol on final-LN CLS features of the inference graph
// compiled with the checkpoint's weights: --knn (reference §10.1), --levels (k-NN per Matryoshka level, §2.2),
// --linear (logistic-regression probe) and --retrieval (mAP). The training split of --data is the memory bank /
// probe training set / gallery, the queries come from --eval-data (default: the held-out split of --data).
import type { Command } from "commander";
import { makeDiagnostic, DiagnosticError } from "../../diagnostics/diagnostic.js";
import { readSafetensors } from "../../runtime/checkpoint/safetensors.js";
import type { SkippedImage } from "../../runtime/data/dataset.js";
import { openDataSource, describeDataSpec } from "../../runtime/data/source.js";
import { evalSplit } from "../../runtime/eval/eval-split.js";
import { KNN_DEFAULTS } from "../../runtime/eval/knn.js";
import { LINEAR_DEFAULTS } from "../../runtime/eval/linear.js";
import { knnOfPixels, knnOfWeights, weightTensors, type KnnRunOptions } from "../../runtime/eval/run-knn.js";
import { formatLevels } from "../../runtime/post/matryoshka.js";
import {
  formatLinear,
  formatRetrieval,
  knnLevelsOfWeights,
  linearOfWeights,
  retrievalOfWeights,
} from "../../runtime/post/probes.js";
import { formatKnnReport } from "../../runtime/progress.js";
import { checkInferenceFits } from "../../runtime/resources.js";
import { DEVICES } from "../../runtime/session.js";
import { guarded, guardOptions, printDiagnostics, type Io } from "../io.js";
import { badOption, dataSpecFor, deviceOption, intOption, kList, loadModel, positive } from "../options.js";
import type { RegisterCommand } from "./index.js";

interface EvalCliOptions {
  knn?: boolean;
  levels?: boolean;
  linear?: boolean;
  retrieval?: boolean;
  weights?: string;
  model?: string;
  data?: string;
  evalData?: string;
  k: string;
  temperature: string;
  probeLr?: string;
  probeEpochs?: string;
  bank?: string;
  queries?: string;
  batch?: string;
  device: string;
  threads?: string;
  json?: boolean;
}

const C = "eval";

function lrList(text: string): number[] {
  const lrs = text.split(",").map((s) => Number(s.trim()));
  if (lrs.some((x) => !(x > 0) || !Number.isFinite(x)))
    throw badOption(C, `--probe-lr ${text}: expected positive numbers, e.g. 0.01,0.1,1`);
  return lrs;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

async function runEval(spec: string, opts: EvalCliOptions, io: Io): Promise<number> {
  if (!opts.knn && !opts.levels && !opts.linear && !opts.retrieval)
    throw badOption(C, "vfmc eval needs a protocol: --knn, --levels, --linear or --retrieval (or several)");
  const device = deviceOption(C, opts.device);
  const k = kList(C, opts.k);
  const temperature = positive(C, "temperature", opts.temperature);
  const bankLimit = intOption(C, "bank", opts.bank, 1);
  const queryLimit = intOption(C, "queries", opts.queries, 1);
  const batch = intOption(C, "batch", opts.batch, 1);
  const threads = intOption(C, "threads", opts.threads, 0) ?? 0;
  const lrs = opts.probeLr !== undefined ? lrList(opts.probeLr) : undefined;
  const epochs = intOption(C, "probe-epochs", opts.probeEpochs, 1);
  const { ir, warnings } = loadModel(spec, opts.model, C);
  if (warnings.length > 0) printDiagnostics(io, warnings, false);

  const data = dataSpecFor(ir, opts.data);
  const evalSpec = opts.evalData !== undefined ? dataSpecFor(ir, opts.evalData) : undefined;
  const what = [
    opts.knn || opts.levels ? "k-NN" : "",
    opts.linear ? "the linear probe" : "",
    opts.retrieval ? "retrieval" : "",
  ]
    .filter(Boolean)
    .join(" and ");
  const source = openDataSource(data);
  const evalSource = evalSpec ? openDataSource(evalSpec) : undefined;
  printDiagnostics(io, [...(source.warnings ?? []), ...(evalSource?.warnings ?? [])], false);
  const chosen = evalSplit(
    { source, text: describeDataSpec(data) },
    evalSpec && evalSource ? { source: evalSource, text: describeDataSpec(evalSpec) } : undefined,
    what,
  );
  if ("problem" in chosen) throw new DiagnosticError([chosen.problem]);
  printDiagnostics(io, chosen.warnings, false);
  const held =
    (Math.min(bankLimit ?? Infinity, chosen.split.train.size) +
      Math.min(queryLimit ?? Infinity, chosen.split.test.size)) *
    4;
  checkInferenceFits(ir, batch ?? 128, `--batch ${batch ?? 128}`, held * ir.backbone.dim);
  const weights = opts.weights
    ? [{ file: opts.weights, tensors: weightTensors((await readSafetensors(opts.weights)).tensors) }]
    : [];
  const split = chosen.split;
  const skipped = new Map<string, string>();
  const onSkip = (s: SkippedImage): void => {
    if (skipped.has(s.source)) return;
    skipped.set(s.source, s.reason);
    printDiagnostics(io, [makeDiagnostic("EvalImageSkipped", undefined, [s.source, s.reason])], false);
  };
  const run: KnnRunOptions = {
    k,
    temperature,
    ...(bankLimit ? { bankLimit } : {}),
    ...(queryLimit ? { queryLimit } : {}),
    ...(batch ? { batch } : {}),
    device,
    threads,
    onSkip,
  };
  const label = opts.weights ?? "random init";
  const json: Record<string, unknown> = {
    model: ir.name,
    weights: opts.weights ?? null,
    data: describeDataSpec(data),
    evalData: evalSpec ? describeDataSpec(evalSpec) : `${describeDataSpec(data)} (held-out split)`,
  };
  const text: string[] = [];

  if (opts.levels) {
    const levels = await knnLevelsOfWeights(ir, weights, split, run);
    json.temperature = temperature;
    json.levels = levels;
    text.push(`kNN per Matryoshka level (${label}):`, formatLevels(levels));
  } else if (opts.knn) {
    const report = await knnOfWeights(ir, weights, split, run);
    Object.assign(json, {
      temperature,
      bank: report.bank,
      queries: report.queries,
      featureDim: report.dim,
      seconds: round2(report.seconds),
      results: report.results,
    });
    text.push(formatKnnReport(label, report));
    // the baseline that matters: k-NN on the pixels themselves, same bank, queries, k and temperature
    const pixels = await knnOfPixels(ir, split, run);
    json.rawPixels = { seconds: round2(pixels.seconds), results: pixels.results };
    text.push(formatKnnReport("raw pixels", pixels));
    const [a, b] = [report.results[0]?.top1, pixels.results[0]?.top1];
    if (a !== undefined && b) text.push(`k-NN top-1 = ${(a / b).toFixed(2)} × the raw pixels'`);
  }
  if (opts.linear) {
    const probe = { ...(lrs ? { lrs } : {}), ...(epochs ? { epochs } : {}) };
    const r = await linearOfWeights(ir, weights, split, { ...run, probe });
    json.linear = r;
    text.push(formatLinear(r));
  }
  if (opts.retrieval) {
    const r = await retrievalOfWeights(ir, weights, split, run);
    json.retrieval = r;
    text.push(formatRetrieval(r));
  }
  if (skipped.size > 0) json.skipped = [...skipped].map(([source, reason]) => ({ source, reason }));
  io.out(opts.json ? JSON.stringify(json, null, 2) : text.join("\n"));
  return 0;
}

export const registerEval: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("eval")
    .description(
      "evaluate a model's weights on final-LN CLS features: k-NN (per Matryoshka level), linear probe, retrieval",
    )
    .argument("<spec>", "the .vfm file the weights belong to")
    .option(
      "--knn",
      "weighted k-NN (reference §10.1): cosine similarity, top-k votes weighted by exp(sim / T)",
    )
    .option(
      "--levels",
      "k-NN per Matryoshka level: the first d channels of the CLS feature for each nested width d (implies --knn)",
    )
    .option(
      "--linear",
      "linear probe: logistic regression on the bank's features, lr chosen on a held-out 10 %, scored on the queries",
    )
    .option(
      "--retrieval",
      "retrieval: queries ranked against the bank by cosine similarity; mAP and precision@1",
    )
    .option(
      "--weights <ckpt>",
      "safetensors weights (a `vfmc run --train` checkpoint: its teacher); default: the random init",
    )
    .option("--model <name>", "the model (default: the file's only model)")
    .option(
      "--data <src>",
      "memory-bank images (their training split): a folder of class sub-folders, list:FILE, shards:PATTERN, idx:PATH, synthetic[:SEED]",
      "synthetic",
    )
    .option(
      "--eval-data <src>",
      "query images: the held-out split of a source, or the source itself (default: the held-out split of --data: DIR/val, t10k …)",
    )
    .option("--k <list>", "neighbour counts, comma-separated", KNN_DEFAULTS.k.join(","))
    .option("--temperature <t>", "vote temperature T", String(KNN_DEFAULTS.temperature))
    .option(
      "--probe-lr <list>",
      `linear-probe learning rates to try (default ${LINEAR_DEFAULTS.lrs.join(",")})`,
    )
    .option("--probe-epochs <n>", `linear-probe epochs (default ${LINEAR_DEFAULTS.epochs})`)
    .option("--bank <n>", "use at most n memory-bank / probe-training / gallery images (default: all)")
    .option("--queries <n>", "use at most n query images (default: all)")
    .option("--batch <n>", "images per inference run (default 128)")
    .option("--device <d>", `execution provider: ${DEVICES.join(", ")}`, "cpu")
    .option("--threads <t>", "onnxruntime threads (default: all cores)")
    .option("--json", "print the results as JSON (k-NN at the top level; levels, linear, retrieval by name)")
    .addHelpText(
      "after",
      "\nk-NN: top-1 and top-5 accuracy, micro-averaged over the queries, for each k. Several protocols may be given at\n" +
        "once; each extracts the features it needs. Photographs are seen as DINOv2 evaluates them (Resize(256) +\n" +
        "CenterCrop(224), at the model's resolution); an image that cannot be read is left out with a warning.\n" +
        "Examples:\n" +
        "  vfmc eval --knn examples/franca-tiny.vfm --weights runs/franca_tiny/checkpoint.safetensors\n" +
        "  vfmc eval --knn examples/fmnist-franca.vfm --weights runs/fmnist/checkpoint.safetensors \\\n" +
        "      --data idx:/usr/share/datasets/fashion-mnist --k 10,20,100,200 --json\n" +
        "  vfmc eval --knn --linear examples/franca-tiny.vfm --weights runs/photos/checkpoint.safetensors \\\n" +
        "      --data photos/train --eval-data photos/val   # class sub-folders of JPEGs\n" +
        "  vfmc eval --levels examples/franca-tiny.vfm --weights runs/franca_tiny/checkpoint.safetensors   # 16/32/64 dims\n" +
        "  vfmc eval --linear --retrieval examples/fmnist-franca.vfm --weights runs/fmnist/checkpoint.safetensors \\\n" +
        "      --data idx:/usr/share/datasets/fashion-mnist --bank 10000 --json\n",
    )
    .action(async (spec: string, opts: EvalCliOptions) => {
      result.code = await guarded(io, guardOptions(program, opts), () => runEval(spec, opts, io));
    });
};
