// `vfmc info <spec>`: what a model is and costs — resolved recipe, parameters, FLOPs, memory. With --weights, how
// a checkpoint maps onto the model instead: matched, missing, mis-shaped and unexpected tensors, and the grid.
import type { Command } from "commander";
import { DiagnosticBag } from "../../diagnostics/diagnostic.js";
import { renderJson } from "../../diagnostics/render.js";
import { checkSpec } from "../../lower/check-spec.js";
import type { ModelIR } from "../../ir/model.js";
import { printModel } from "../../ir/print.js";
import { infoJson, infoText } from "../../lower/info.js";
import type { WeightsFile } from "../../lower/compile.js";
import { weightsReport, weightsReportDiagnostics, weightsReportText } from "../../lower/weights-report.js";
import { SafetensorsReader } from "../../runtime/checkpoint/safetensors.js";
import { exitCodeOf, guarded, guardOptions, printDiagnostics, type Io } from "../io.js";
import { repeatableOption, setOption, setOverrides } from "../options.js";
import type { RegisterCommand } from "./index.js";

interface InfoOptions {
  model?: string;
  json?: boolean;
  ir?: boolean;
  weights: string[];
  set: string[];
}

/** Names, dtypes and shapes only: the report never looks at values, and ViT-g checkpoints run to gigabytes. */
async function readHeader(file: string): Promise<WeightsFile> {
  const reader = await SafetensorsReader.open(file);
  await reader.close();
  const tensors = new Map(
    [...reader.tensors].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: [] }]),
  );
  return { file, tensors };
}

/** `--weights FILE`: one report per model; exit 1 when a model lacks tensors it needs or their shapes differ. */
async function reportWeights(io: Io, files: string[], models: ModelIR[], json: boolean): Promise<number> {
  const weights: WeightsFile[] = [];
  for (const file of files) weights.push(await readHeader(file));
  const reports = models.map((m) => weightsReport(m, weights));
  const diagnostics = reports.flatMap(weightsReportDiagnostics);
  if (json) {
    const data = reports.map((r) => ({
      ...r,
      diagnostics: JSON.parse(renderJson(weightsReportDiagnostics(r))) as unknown,
    }));
    io.out(JSON.stringify(data.length === 1 ? data[0] : data, null, 2));
  } else {
    io.out(reports.map(weightsReportText).join("\n\n"));
    printDiagnostics(io, diagnostics, false);
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}

function pick(io: Io, spec: string, models: ModelIR[], opts: InfoOptions): ModelIR[] | number {
  if (!opts.model) return models;
  const found = models.filter((m) => m.name === opts.model);
  if (found.length > 0) return found;
  const bag = new DiagnosticBag();
  bag.report("UnknownModelOption", undefined, [
    opts.model,
    spec,
    models.map((m) => m.name).join(", ") || "none",
  ]);
  printDiagnostics(io, bag.items, opts.json ?? false);
  return 1;
}

export const registerInfo: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("info")
    .description(
      "describe the models of a spec: resolved recipe, parameter counts, FLOPs and memory; or, with --weights, check a checkpoint against a model",
    )
    .argument("<spec>", "a .vfm file")
    .option("--model <name>", "only this model (default: every model of the file)")
    .option("--json", "print data: one object per model (an array when there are several)")
    .option("--ir", "print the canonical model IR instead of the summary")
    .addOption(
      repeatableOption(
        "--weights <file>",
        "instead of the summary, check a safetensors checkpoint against the model: matched, missing, mis-shaped and unexpected tensors, and how the position grid is handled; exit 1 when the model cannot load it (repeatable, merged as compile merges them: e.g. a backbone, then a RASA head)",
        "none",
      ),
    )
    .addOption(setOption())
    .addHelpText(
      "after",
      "\nParameters count every tensor of the state dict (docs/reference.md §1.3); FLOPs count matrix products,\n" +
        "2 per multiply-add; a training step is teacher forward + 3 × student forward.\n" +
        "Examples:\n" +
        "  vfmc info specs/dinov2.vfm --model dinov2_vitb14\n" +
        "  vfmc info specs/franca.vfm --json\n" +
        "  vfmc info specs/dinov2.vfm --model dinov2_vitb14 --weights dinov2_vitb14.safetensors\n" +
        "With --weights, keys go through the same surgery as loading (module./backbone./teacher. stripped, chunked\n" +
        "blocks flattened, dino_head/ibot_head dropped, rasa_head kept apart); convert a .pth first (docs/weights.md).\n",
    )
    .action(async (spec: string, opts: InfoOptions) => {
      result.code = await guarded(io, guardOptions(program, opts), async () => {
        const r = checkSpec(spec, undefined, { overrides: setOverrides(opts.set) });
        const errors = r.diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0 || r.diagnostics.length > 0) printDiagnostics(io, r.diagnostics, false);
        if (errors.length > 0) return exitCodeOf(errors);
        if (r.models.length === 0) {
          const bag = new DiagnosticBag();
          bag.report("NoModels", undefined, [spec]);
          printDiagnostics(io, bag.items, opts.json ?? false);
          return 1;
        }
        const models = pick(io, spec, r.models, opts);
        if (typeof models === "number") return models;
        if (opts.weights.length > 0) return reportWeights(io, opts.weights, models, opts.json ?? false);
        if (opts.json) {
          const data = models.map((m) => infoJson(m));
          io.out(JSON.stringify(data.length === 1 ? data[0] : data, null, 2));
        } else io.out(models.map((m) => (opts.ir ? printModel(m) : infoText(m))).join("\n"));
        return 0;
      });
    });
};
