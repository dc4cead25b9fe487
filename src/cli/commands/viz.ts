// `vfmc viz pca <spec> --weights CKPT --image IMG -o out.png`: the first three PCA components of an image's patch
// features as RGB (foreground found by thresholding the first component), beside the input, as a PNG.
// `vfmc viz mae <spec> --weights CKPT --image IMG -o out.png`: an MAE's input, masked input, reconstruction and
// reconstruction with the visible patches pasted back (He et al. 2022, Fig. 2).
import type { Command } from "commander";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { checkOutputPath, writeOutput } from "../../files/output.js";
import { readSafetensors } from "../../runtime/checkpoint/safetensors.js";
import { weightTensors } from "../../runtime/eval/run-knn.js";
import { encodePng, toRgb8 } from "../../runtime/image/png.js";
import { evalView } from "../../runtime/data/eval-images.js";
import { loadImage } from "../../runtime/image/load.js";
import { compileModelGraphs, type WeightsFile } from "../../lower/compile.js";
import { NORM_PIX_EPS, maeTokens } from "../../lower/objectives/mae.js";
import { DEFAULT_OPSET } from "../../onnx/model.js";
import { encodeModel } from "../../onnx/serialize.js";
import { patchOrders } from "../../runtime/masks/random.js";
import { featureModel, runImages } from "../../runtime/post/features.js";
import { maePanels, panelRow } from "../../runtime/post/mae-picture.js";
import { pcaMap, sideBySide } from "../../runtime/post/pca-picture.js";
import { createSession, DEVICES, ort, type Device } from "../../runtime/session.js";
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

/** The options every picture command takes: the PNG to write and the execution provider. */
function pictureOptions(
  command: string,
  opts: { out?: string; device: string },
): { out: string; device: Device } {
  if (!opts.out) throw badOption(command, "-o/--out is required: the PNG file to write");
  if (!DEVICES.includes(opts.device as Device))
    throw badOption(command, `--device ${opts.device}: expected one of ${DEVICES.join(", ")}`);
  return { out: opts.out, device: opts.device as Device };
}

/** The --weights files, read and stripped of what is not a weight (optimiser moments, counters). */
async function readWeightFiles(files: readonly string[]): Promise<WeightsFile[]> {
  const weights: WeightsFile[] = [];
  for (const file of files)
    weights.push({ file, tensors: weightTensors((await readSafetensors(file)).tensors) });
  return weights;
}

async function runVizPca(spec: string, opts: VizPcaOptions, io: Io): Promise<number> {
  const { out, device } = pictureOptions(C, opts);
  const threshold = Number(opts.threshold);
  if (!Number.isFinite(threshold)) throw badOption(C, `--threshold ${opts.threshold}: expected a number`);
  const { ir, warnings } = loadModel(spec, opts.model, C);
  if (warnings.length > 0) printDiagnostics(io, warnings, false);
  const side = ir.export.resolution;
  const scale = intOption(C, "scale", opts.scale, 1) ?? Math.max(1, Math.ceil(256 / side));
  const opened = await loadImage(opts.image, ir.input.size);
  const image = await evalView(opened, 1, side);
  const weights = await readWeightFiles(opts.weights);
  checkOutputPath(out); // before the model runs: not --weights, not --image, not a folder
  const output = opts.rasa ? "patch_tokens_rasa" : "patch_tokens";
  // without rasa_head tensors the inference graph has no RASA output: say so before compiling it
  if (opts.rasa && !weights.some((w) => [...w.tensors.keys()].some((k) => k.startsWith("rasa_head."))))
    throw new DiagnosticError([
      makeDiagnostic("RasaWeightsRequired", undefined, [
        opts.weights.length > 0 ? opts.weights.join(", ") : "the random initialisation",
      ]),
    ]);
  const model = await featureModel(ir, weights, [output], { device, threads: 0 });
  let tokens;
  try {
    tokens = await runImages(model, [image], output);
  } finally {
    await model.release();
  }
  const map = pcaMap(tokens.data, model.grid, model.dim, { threshold, foreground: opts.foreground });
  const picture = sideBySide(image, map, scale);
  await writeOutput(out, encodePng(toRgb8(picture), picture.width, picture.height));
  const fg = map.foreground.reduce((a, b) => a + b, 0);
  const summary = {
    model: ir.name,
    image: opts.image,
    tokens: output,
    grid: [map.grid, map.grid],
    foregroundPatches: fg,
    variances: map.variances,
    out,
    size: [picture.width, picture.height],
  };
  if (opts.json) io.out(JSON.stringify(summary, null, 2));
  else
    io.out(
      `wrote ${out} (${picture.width}×${picture.height}): ${opts.image} beside the PCA of its ${map.grid}×${map.grid} ${output}, ` +
        `${fg} foreground patches`,
    );
  return 0;
}

interface VizMaeOptions {
  weights: string[];
  model?: string;
  image: string;
  out?: string;
  seed: string;
  scale?: string;
  device: string;
  json?: boolean;
}

const M = "viz mae";

async function runVizMae(spec: string, opts: VizMaeOptions, io: Io): Promise<number> {
  const { out, device } = pictureOptions(M, opts);
  const seed = intOption(M, "seed", opts.seed, 0)!;
  const { ir, warnings } = loadModel(spec, opts.model, M);
  if (warnings.length > 0) printDiagnostics(io, warnings, false);
  const side = ir.crops.global.size;
  const scale = intOption(M, "scale", opts.scale, 1) ?? Math.max(1, Math.ceil(192 / side));
  const image = await evalView(await loadImage(opts.image, ir.input.size), 1, side);
  const weights = await readWeightFiles(opts.weights);
  checkOutputPath(out); // before the model runs: not --weights, not --image, not a folder
  // GraphNotAvailable (a diagnostic) when the model is not an MAE
  const compiled = compileModelGraphs(ir, { emit: ["reconstruct"], opset: DEFAULT_OPSET, weights });
  printDiagnostics(io, compiled.diagnostics, false);
  const { patches, visible } = maeTokens(ir);
  const order = patchOrders(1, patches, seed, 0);
  const session = await createSession(encodeModel(compiled.graphs[0]!.model), {
    device,
    threads: 0,
  });
  let pred: Float32Array;
  let mask: Float32Array;
  try {
    const out = await session.run({
      pixel_values: new ort.Tensor("float32", image.data, [1, 3, side, side]),
      patch_order: new ort.Tensor(
        "int64",
        BigInt64Array.from(order, (x) => BigInt(x)),
        [1, patches],
      ),
    });
    pred = out["pred"]!.data as Float32Array;
    mask = out["mask"]!.data as Float32Array;
  } finally {
    await session.release();
  }
  const panels = maePanels({
    image,
    pred,
    mask,
    patch: ir.backbone.patch,
    mean: ir.input.mean,
    std: ir.input.std,
    normPix: ir.losses.mae?.normPix ?? false,
    eps: NORM_PIX_EPS,
  });
  const picture = panelRow([panels.input, panels.masked, panels.reconstruction, panels.pasted], scale);
  await writeOutput(out, encodePng(toRgb8(picture), picture.width, picture.height));
  // the pixel error of the reconstruction on the removed patches, in RGB units
  let se = 0;
  let n = 0;
  const plane = side * side;
  const grid = side / ir.backbone.patch;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const k = Math.floor(y / ir.backbone.patch) * grid + Math.floor(x / ir.backbone.patch);
      if (mask[k]! < 0.5) continue;
      for (let c = 0; c < 3; c++) {
        se +=
          (panels.reconstruction.data[c * plane + y * side + x]! - image.data[c * plane + y * side + x]!) **
          2;
        n++;
      }
    }
  const summary = {
    model: ir.name,
    image: opts.image,
    seed,
    patches,
    visible,
    removedPixelMse: se / Math.max(n, 1),
    out,
    size: [picture.width, picture.height],
  };
  if (opts.json) io.out(JSON.stringify(summary, null, 2));
  else
    io.out(
      `wrote ${out} (${picture.width}×${picture.height}): input, ${patches - visible} of ${patches} patches removed, ` +
        `reconstruction, reconstruction + visible; pixel MSE on the removed patches ${summary.removedPixelMse.toFixed(4)}`,
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
  viz
    .command("mae")
    .description(
      "an MAE's input, masked input, reconstruction and reconstruction with the visible patches, side by side, as a PNG",
    )
    .argument("<spec>", "the .vfm file of the MAE model the weights belong to")
    .requiredOption("--image <img>", "a PNG file, or <data>#<index> for a dataset image, e.g. synthetic#3")
    .addOption(
      repeatableOption(
        "--weights <ckpt>",
        "safetensors weights: a vfmc checkpoint or an MAE state dict (repeatable, merged as compile merges them)",
        "the random init",
      ),
    )
    .option("--model <name>", "the model (default: the file's only model)")
    .option("-o, --out <file>", "PNG file to write")
    .option("--seed <s>", "seed of the random patch order (which patches are removed)", "0")
    .option("--scale <n>", "pixel scale of the picture (default: enough for 192 px per panel)")
    .option("--device <d>", `execution provider: ${DEVICES.join(", ")}`, "cpu")
    .option("--json", "print a JSON summary (with the pixel MSE on the removed patches)")
    .addHelpText(
      "after",
      "\nThe image is centre-cropped to a square and resized (bicubic) to the global crop size. The model's\n" +
        "masking ratio removes that fraction of patches (a random order drawn from --seed); the decoder predicts\n" +
        "every patch. With norm_pix the prediction of a patch is per-patch normalised: it is drawn with the\n" +
        "input patch's own mean and variance, as the MAE demo does, then the input normalisation is undone.\n" +
        "Examples:\n" +
        "  vfmc viz mae examples/mae-tiny.vfm --weights runs/mae_tiny/checkpoint.safetensors --image synthetic#0 -o mae.png\n" +
        "  vfmc viz mae specs/mae.vfm --model mae_vitl16 --weights mae_visualize_vit_large.safetensors --image dog.png -o dog-mae.png\n",
    )
    .action(async (spec: string, opts: VizMaeOptions) => {
      result.code = await guarded(io, guardOptions(program, opts), () => runVizMae(spec, opts, io));
    });
};
