// `vfmc viz pca <spec> --weights CKPT --image IMG -o out.png`: the first three PCA components of an image's patch
// features as RGB (foreground found by thresholding the first component), beside the input, as a PNG.
import type { Command } from "commander";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { checkOutputPath, writeOutput } from "../../files/output.js";
import { readSafetensors } from "../../runtime/checkpoint/safetensors.js";
import { weightTensors } from "../../runtime/eval/run-knn.js";
import { encodePng, toRgb8 } from "../../runtime/image/png.js";
import { evalView } from "../../runtime/data/eval-images.js";
import { loadImage } from "../../runtime/image/load.js";
import { featureModel, runImages } from "../../runtime/post/features.js";
import { pcaMap, sideBySide } from "../../runtime/post/pca-picture.js";
import { DEVICES, type Device } from "../../runtime/session.js";
import { guarded, guardOptions, printDiagnostics, type Io } from "../io.js";
import type { RegisterCommand } from "./index.js";
import { badOption, intOption, loadModel, repeatableOption } from "../options.js";

interface VizPcaOptions {
  weights: string[];
  model?: string;
  image: string;
  out?: string;
  threshold: string;
  foreground: boolean;
  rasa?: boolean;
  scale?: string;
  device: string;
  json?: boolean;
}

const C = "viz pca";

async function runVizPca(spec: string, opts: VizPcaOptions, io: Io): Promise<number> {
  if (!opts.out) throw badOption(C, "-o/--out is required: the PNG file to write");
  if (!DEVICES.includes(opts.device as Device))
    throw badOption(C, `--device ${opts.device}: expected one of ${DEVICES.join(", ")}`);
  const threshold = Number(opts.threshold);
  if (!Number.isFinite(threshold)) throw badOption(C, `--threshold ${opts.threshold}: expected a number`);
  const { ir, warnings } = loadModel(spec, opts.model, C);
  if (warnings.length > 0) printDiagnostics(io, warnings, false);
  const side = ir.export.resolution;
  const scale = intOption(C, "scale", opts.scale, 1) ?? Math.max(1, Math.ceil(256 / side));
  const opened = await loadImage(opts.image, ir.input.size);
  const image = await evalView(opened, 1, side);
  const weights = [];
  for (const file of opts.weights)
    weights.push({ file, tensors: weightTensors((await readSafetensors(file)).tensors) });
  checkOutputPath(opts.out); // before the model runs: not --weights, not --image, not a folder
  const output = opts.rasa ? "patch_tokens_rasa" : "patch_tokens";
  // without rasa_head tensors the inference graph has no RASA output: say so before compiling it
  if (opts.rasa && !weights.some((w) => [...w.tensors.keys()].some((k) => k.startsWith("rasa_head."))))
    throw new DiagnosticError([
      makeDiagnostic("RasaWeightsRequired", undefined, [
        opts.weights.length > 0 ? opts.weights.join(", ") : "the random initialisation",
      ]),
    ]);
  const model = await featureModel(ir, weights, [output], { device: opts.device as Device, threads: 0 });
  let tokens;
  try {
    tokens = await runImages(model, [image], output);
  } finally {
    await model.release();
  }
  const map = pcaMap(tokens.data, model.grid, model.dim, { threshold, foreground: opts.foreground });
  const picture = sideBySide(image, map, scale);
  await writeOutput(opts.out, encodePng(toRgb8(picture), picture.width, picture.height));
  const fg = map.foreground.reduce((a, b) => a + b, 0);
  const summary = {
    model: ir.name,
    image: opts.image,
    tokens: output,
    grid: [map.grid, map.grid],
    foregroundPatches: fg,
    variances: map.variances,
    out: opts.out,
    size: [picture.width, picture.height],
  };
  if (opts.json) io.out(JSON.stringify(summary, null, 2));
  else
    io.out(
      `wrote ${opts.out} (${picture.width}×${picture.height}): ${opts.image} beside the PCA of its ${map.grid}×${map.grid} ${output}, ` +
        `${fg} foreground patches`,
    );
  return 0;
}

export const registerViz: RegisterCommand = (program: Command, io: Io, result) => {
  const viz = program.command("viz").description("pictures of what a model's features look like");
  viz
    .command("pca")
    .description("first three PCA components of an image's patch features as RGB, beside the image, as a PNG")
    .argument("<spec>", "the .vfm file the weights belong to")
    .requiredOption(
      "--image <img>",
      "a JPEG, PNG or WebP file of any size, or <data>#<index> for a dataset image, e.g. synthetic#3",
    )
    .addOption(
      repeatableOption(
        "--weights <ckpt>",
        "safetensors weights (repeatable, merged as compile merges them: a backbone, then a RASA head)",
        "the random init",
      ),
    )
    .option("--model <name>", "the model (default: the file's only model)")
    .option("-o, --out <file>", "PNG file to write")
    .option(
      "--threshold <t>",
      "foreground: first-component score above t (scores are centred; 0 = above the mean)",
      "0",
    )
    .option("--no-foreground", "colour every patch (skip the foreground mask)")
    .option("--rasa", "use the RASA-cleaned patch tokens (the weights must hold a rasa_head)")
    .option("--scale <n>", "pixel scale of the picture (default: enough for 256 px)")
    .option("--device <d>", `execution provider: ${DEVICES.join(", ")}`, "cpu")
    .option("--json", "print a JSON summary")
    .addHelpText(
      "after",
      "\nThe image is centre-cropped to a square and resized (bicubic) to export.resolution — a large photo is\n" +
        "shrunk while it is decoded — and drawn at that resolution beside the map. PCA runs on that\n" +
        "image's patch tokens: the first component, oriented so the border scores low, is thresholded into a\n" +
        "foreground mask; a second PCA on the foreground patches gives the RGB colours (min–max scaled).\n" +
        "Examples:\n" +
        "  vfmc viz pca examples/franca-tiny.vfm --weights runs/franca_tiny/checkpoint.safetensors --image synthetic#0 -o pca.png\n" +
        "  vfmc viz pca specs/dinov2.vfm --model dinov2_vitb14 --weights dinov2_vitb14.safetensors --image dog.png -o dog-pca.png\n",
    )
    .action(async (spec: string, opts: VizPcaOptions) => {
      result.code = await guarded(io, guardOptions(program, opts), () => runVizPca(spec, opts, io));
    });
};
