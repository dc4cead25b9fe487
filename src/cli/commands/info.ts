// `vfmc info <spec>`: what a model is and costs — resolved recipe, parameters, FLOPs, memory.
import type { Command } from "commander";
import { DiagnosticBag } from "../../diagnostics/diagnostic.js";
import { checkSpec } from "../../ir/compile-spec.js";
import type { ModelIR } from "../../ir/model.js";
import { printModel } from "../../ir/print.js";
import { infoJson, infoText } from "../../ir/summary.js";
import { exitCodeOf, guarded, printDiagnostics, type Io } from "../io.js";
import type { RegisterCommand } from "./index.js";

interface InfoOptions {
  model?: string;
  json?: boolean;
  ir?: boolean;
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
    .description("describe the models of a spec: resolved recipe, parameter counts, FLOPs and memory")
    .argument("<spec>", "a .vfm file")
    .option("--model <name>", "only this model (default: every model of the file)")
    .option("--json", "print data: one object per model (an array when there are several)")
    .option("--ir", "print the canonical model IR instead of the summary")
    .addHelpText(
      "after",
      "\nParameters count every tensor of the state dict (§1.3 of the reference); FLOPs count matrix products,\n" +
        "2 per multiply-add; a training step is teacher forward + 3 × student forward.\n" +
        "Examples:\n" +
        "  vfmc info specs/dinov2.vfm --model dinov2_vitb14\n" +
        "  vfmc info specs/franca.vfm --json\n",
    )
    .action(async (spec: string, opts: InfoOptions) => {
      result.code = await guarded(
        io,
        { json: opts.json, trace: program.opts<{ trace?: boolean }>().trace },
        () => {
          const r = checkSpec(spec);
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
          if (opts.json) {
            const data = models.map((m) => infoJson(m));
            io.out(JSON.stringify(data.length === 1 ? data[0] : data, null, 2));
          } else io.out(models.map((m) => (opts.ir ? printModel(m) : infoText(m))).join("\n"));
          return 0;
        },
      );
    });
};
