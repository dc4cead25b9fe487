// `vfmc rasa <spec> --weights CKPT -o RASA.safetensors`: fit RASA's position regressors (reference §8.3) on a
// frozen backbone's patch tokens and write them under the released asset names (§8.1), ready for
// `vfmc compile --weights CKPT --weights RASA.safetensors`, which folds them into one D×D matrix (§8.2).
import type { Command } from "commander";
import { checkOutputPath } from "../../files/output.js";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { writeSafetensors } from "../../runtime/checkpoint/safetensors.js";
import { readSafetensors } from "../../runtime/checkpoint/safetensors.js";
import { describeDataSpec, openDataSource } from "../../runtime/data/source.js";
import { weightTensors } from "../../runtime/eval/run-knn.js";
import { datasetFeatures, featureModel } from "../../runtime/post/features.js";
import { fitRasa, RASA_DEFAULTS, rasaTensorNames, type RasaRound } from "../../runtime/post/rasa.js";
import { checkInferenceFits } from "../../runtime/resources.js";
import { DEVICES, type Device } from "../../runtime/session.js";
import { guarded, guardOptions, printDiagnostics, type Io } from "../io.js";
import type { RegisterCommand } from "./index.js";
import { badOption, dataSpecFor, intOption, loadModel, positive } from "../options.js";

interface RasaCliOptions {
  weights?: string;
  model?: string;
  data?: string;
  images: string;
  rounds?: string;
  steps: string;
  batch: string;
  lr: string;
  seed?: string;
  probe: boolean;
  out?: string;
  device: string;
  threads?: string;
  json?: boolean;
}

const C = "rasa";
const DEFAULT_IMAGES = 512;

function roundLine(r: RasaRound): string {
  const label = r.probe ? "probe" : String(r.round).padStart(5);
  return `${label}  ${r.before.toFixed(4)}  ${r.after.toFixed(4)}${r.probe ? "   (fresh regressor on the folded features)" : ""}`;
}

async function runRasa(spec: string, opts: RasaCliOptions, io: Io): Promise<number> {
  if (!opts.out) throw badOption(C, "-o/--out is required: the safetensors file to write the RASA head to");
  if (!DEVICES.includes(opts.device as Device))
    throw badOption(C, `--device ${opts.device}: expected one of ${DEVICES.join(", ")}`);
  const { ir, warnings } = loadModel(spec, opts.model, C);
  if (warnings.length > 0) printDiagnostics(io, warnings, false);
  const rounds = intOption(C, "rounds", opts.rounds, 1) ?? ir.post.rasa?.rounds ?? 9;
  const images = intOption(C, "images", opts.images, 1)!;
  const steps = intOption(C, "steps", opts.steps, 1)!;
  const batch = intOption(C, "batch", opts.batch, 1)!;
  const lr = positive(C, "lr", opts.lr);
  const seed = intOption(C, "seed", opts.seed, 0) ?? ir.train.seed;
  const threads = intOption(C, "threads", opts.threads, 0) ?? 0;
  const device = opts.device as Device;

  const data = dataSpecFor(ir, opts.data);
  const source = openDataSource(data);
  // the patch tokens of every image are held while the regressors are fitted
  const grid = Math.floor(ir.export.resolution / ir.backbone.patch);
  const held = Math.min(images, source.train.size) * grid * grid * ir.backbone.dim * 4;
  checkInferenceFits(ir, Math.min(batch, 64), `--images ${images}`, held);
  const weights = opts.weights
    ? [{ file: opts.weights, tensors: weightTensors((await readSafetensors(opts.weights)).tensors) }]
    : [];
  checkOutputPath(opts.out); // before minutes of fitting: not --weights, not the spec, not a folder
  const model = await featureModel(ir, weights, ["patch_tokens"], { device, threads });
  let tokens;
  try {
    tokens = await datasetFeatures(model, source.train, "patch_tokens", images);
  } finally {
    await model.release();
  }
  printDiagnostics(
    io,
    tokens.skipped.map((s) => makeDiagnostic("EvalImageSkipped", undefined, [s.source, s.reason])),
    false,
  );
  const n = tokens.labels.length;
  if (n < 1) throw new DiagnosticError([makeDiagnostic("EvalTooFewImages", undefined, ["RASA", 1, n])]);
  const set = { tokens: tokens.data, images: n, rows: model.grid, cols: model.grid, dim: model.dim };
  if (!opts.json) {
    io.out(
      `${ir.name}: RASA on ${n} images of ${describeDataSpec(data)} (${model.grid}×${model.grid} tokens, D ${model.dim}), ` +
        `${rounds} rounds × ${steps} steps, batch ${Math.min(batch, n)}, lr ${lr}` +
        (opts.weights ? "" : " — no --weights: the random initialisation"),
    );
    io.out("round  before  after   (position error: mean squared error of the sigmoid regressor)");
  }
  const result = await fitRasa(
    set,
    {
      rounds,
      steps,
      batch,
      lr,
      seed,
      device,
      threads,
      ...(opts.json ? {} : { onRound: (r: RasaRound) => io.out(roundLine(r)) }),
    },
    opts.probe,
  );
  const names = rasaTensorNames(result.weights.length);
  await writeSafetensors(
    opts.out,
    result.weights.map((w, k) => ({
      name: names[k]!,
      dtype: "F32" as const,
      shape: [2, model.dim],
      data: w,
    })),
    {
      vfmc_model: ir.name,
      vfmc_rasa_rounds: String(rounds),
      vfmc_rasa_backbone: opts.weights ?? "random init",
    },
  );
  if (opts.json) {
    io.out(
      JSON.stringify(
        {
          model: ir.name,
          weights: opts.weights ?? null,
          data: describeDataSpec(data),
          images: n,
          grid: [model.grid, model.grid],
          dim: model.dim,
          meanPositionError: result.meanError,
          rounds: result.rounds,
          out: opts.out,
          tensors: names,
        },
        null,
        2,
      ),
    );
  } else {
    io.out(
      `mean-position error ${result.meanError.toFixed(4)} (what a regressor that finds no position gets)`,
    );
    io.out(
      `wrote ${opts.out}: ${names.length} regressors [2, ${model.dim}] (${names.length - 1} pre_pos_layers + pos_pred)`,
    );
  }
  return 0;
}

export const registerRasa: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("rasa")
    .description("fit RASA (removal of absolute spatial attributes) on a frozen backbone's patch tokens")
    .argument("<spec>", "the .vfm file the weights belong to")
    .option(
      "--weights <ckpt>",
      "backbone safetensors (a training checkpoint's teacher, or released weights); default: the random init",
    )
    .option("--model <name>", "the model (default: the file's only model)")
    .option(
      "--data <src>",
      "images to fit on (training split): a folder of images, list:FILE, shards:PATTERN, idx:PATH, synthetic[:SEED]",
      "synthetic",
    )
    .option(
      "--images <n>",
      "use n images (their tokens are held in memory): the first n, or every k-th of a folder of class sub-folders",
      String(DEFAULT_IMAGES),
    )
    .option(
      "--rounds <n>",
      "regressors to fit, each removing a 2-D subspace (default: the spec's post rasa rounds, else 9)",
    )
    .option("--steps <n>", "AdamW steps per round (cosine-annealed to 0)", String(RASA_DEFAULTS.steps))
    .option("--batch <n>", "images per step", String(RASA_DEFAULTS.batch))
    .option(
      "--lr <x>",
      "peak learning rate per round (the reference uses 2e-4 with 410 steps of batch 128)",
      String(RASA_DEFAULTS.lr),
    )
    .option("--seed <n>", "seed for the regressor init and the image order (default: train.seed)")
    .option("--no-probe", "skip the final fresh regressor on the folded features")
    .option(
      "-o, --out <file>",
      "safetensors file to write (rasa_head.pre_pos_layers.{k}.weight, rasa_head.pos_pred.weight)",
    )
    .option("--device <d>", `execution provider: ${DEVICES.join(", ")}`, "cpu")
    .option("--threads <t>", "onnxruntime threads (default: all cores)")
    .option("--json", "print the per-round errors as JSON")
    .addHelpText(
      "after",
      "\nEach round trains a fresh linear regressor D→2 with a sigmoid to predict every patch token's normalised\n" +
        "(row, column) from the tokens with the earlier rounds' subspaces removed (MSE, AdamW, backbone frozen), then\n" +
        "adds it to the removal chain. The error before/after each round is printed; as rounds accumulate, the\n" +
        "error climbs towards that of always predicting the mean position. The fitting step is a compiled graph\n" +
        "(autodiff + AdamW) run in onnxruntime; features are extracted once. Augmentations of the reference recipe\n" +
        "are not applied.\n" +
        "Examples:\n" +
        "  vfmc rasa examples/franca-tiny.vfm --weights runs/franca_tiny/checkpoint.safetensors --lr 1e-2 -o rasa.safetensors\n" +
        "  vfmc compile examples/franca-tiny.vfm --emit infer --weights runs/franca_tiny/checkpoint.safetensors --weights rasa.safetensors\n",
    )
    .action(async (spec: string, opts: RasaCliOptions) => {
      result.code = await guarded(io, guardOptions(program, opts), () => runRasa(spec, opts, io));
    });
};
