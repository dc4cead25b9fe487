// `vfmc compile <spec>`: check a spec, lower each model to its ONNX graphs and write them with the manifest
// (docs/graph-contract.md; the writing is ../compile-to-dir.ts). Weights files are read here, through the runtime's
// safetensors reader, because lowering may not import the runtime; lowering itself only sees tensors.
import { join } from "node:path";
import type { Command } from "commander";
import { DiagnosticBag, DiagnosticError, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { renderJson } from "../../diagnostics/render.js";
import { checkSpec } from "../../lower/check-spec.js";
import type { ModelIR } from "../../ir/model.js";
import { GRAPH_KINDS, OPSET_RANGE, type WeightsFile } from "../../lower/compile.js";
import { modelSummaries } from "../../lower/summary.js";
import { formatSummary } from "../../graph/summary.js";
import { DEFAULT_OPSET } from "../../onnx/model.js";
import { readSafetensors } from "../../runtime/checkpoint/safetensors.js";
import { checkCompileFits } from "../../runtime/resources.js";
import { exitCodeOf, guarded, guardOptions, printDiagnostics, type Io } from "../io.js";
import { compileToDir, human, type GraphReport } from "../compile-to-dir.js";
import { repeatableOption, setOption, setOverrides } from "../options.js";
import type { RegisterCommand } from "./index.js";

interface CompileCliOptions {
  out: string;
  model?: string;
  emit?: string;
  weights: string[];
  opset: string;
  dims?: string;
  externalData: string;
  summary?: boolean;
  json?: boolean;
  set: string[];
}

const DEFAULT_EMIT = ["infer", "train"];
function fail(key: "BadOption", message: string): never {
  const bag = new DiagnosticBag();
  bag.report(key, undefined, [message, "compile"]);
  throw new DiagnosticError(bag.items);
}

function emitList(opt: string | undefined): string[] {
  if (opt === undefined) return DEFAULT_EMIT.filter((k) => GRAPH_KINDS.some((g) => g.kind === k));
  const kinds = opt
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const known = GRAPH_KINDS.map((g) => g.kind);
  const bad = kinds.filter((k) => !known.includes(k));
  if (bad.length > 0 || kinds.length === 0)
    fail("BadOption", `--emit ${opt}: graphs available are ${known.join(", ")}`);
  return kinds;
}

async function readWeights(files: readonly string[]): Promise<WeightsFile[]> {
  const out: WeightsFile[] = [];
  for (const file of files) out.push({ file, tensors: (await readSafetensors(file)).tensors });
  return out;
}

function reportLine(r: GraphReport): string {
  const ext = r.externalBytes > 0 ? ` (${human(r.externalBytes, "B")} external)` : "";
  const secs = ((r.lowerMs + r.writeMs) / 1000).toFixed(2);
  return `${r.file}: ${r.nodes} nodes, ${human(r.params, "")} parameters, ${human(r.bytes, "B")}${ext}, ${secs} s`;
}

export const registerCompile: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("compile")
    .description("compile the models of a spec to ONNX graphs and a manifest (docs/graph-contract.md)")
    .argument("<spec>", "a .vfm file")
    .option("-o, --out <dir>", "output folder (created if missing)", "out")
    .option("--model <name>", "only this model (default: every model of the file)")
    .option(
      "--emit <graphs>",
      `comma-separated graphs to write, from: ${GRAPH_KINDS.map((g) => `${g.kind} (${g.doc})`).join("; ")} (default ${DEFAULT_EMIT.join(",")}, those available)`,
    )
    .addOption(
      repeatableOption(
        "--weights <file>",
        "safetensors checkpoint to load (repeatable; later files override earlier keys, e.g. a backbone then a RASA head)",
        "none: initialise as DINOv2 does",
      ),
    )
    .option(
      "--opset <n>",
      `ai.onnx opset to stamp (${OPSET_RANGE.min}–${OPSET_RANGE.max})`,
      String(DEFAULT_OPSET),
    )
    .option(
      "--external-data <mode>",
      "auto (weights over 1 GiB go to <file>.onnx.data), always, or never",
      "auto",
    )
    .option(
      "--summary",
      "print each graph's summary (inputs and outputs with roles, parameters, nodes, op counts) and write nothing; no weights are initialised, so ViT-g takes seconds",
    )
    .option(
      "--dims <d>",
      "Matryoshka truncation: the inference graph outputs only the first d feature channels (d: one of the nested levels)",
    )
    .addOption(setOption())
    .option("--json", "print a JSON report (files, nodes, parameters, bytes, diagnostics) instead of lines")
    .addHelpText(
      "after",
      "\nWrites <dir>/<model>.<graph>.onnx for each graph and <dir>/<model>.manifest.json describing every input\n" +
        "and output (role, shape, which outputs feed which inputs next step), the parameters and the schedules.\n" +
        "Without --weights the parameters are initialised as DINOv2 does, seeded by train.seed. Checkpoint keys may\n" +
        "carry module./backbone./teacher. prefixes and chunked blocks; the checkpoint's pos_embed grid wins.\n" +
        "Examples:\n" +
        "  vfmc compile examples/franca-tiny.vfm -o out/\n" +
        "  vfmc compile specs/franca.vfm --model franca_vitg14 --summary\n" +
        "  vfmc compile examples/franca-tiny.vfm --emit infer --dims 32     (Matryoshka level 32 of 64)\n" +
        "  vfmc compile specs/dinov2.vfm --model dinov2_vitb14 --emit infer --weights dinov2_vitb14.safetensors\n" +
        "  vfmc compile specs/franca.vfm --model franca_vitl14 --emit infer --weights franca_l.safetensors --weights rasa_l.safetensors\n",
    )
    .action(async (spec: string, opts: CompileCliOptions) => {
      result.code = await guarded(io, guardOptions(program, opts), async () => {
        const opset = Number(opts.opset);
        if (!Number.isInteger(opset)) fail("BadOption", `--opset ${opts.opset}: expected an integer`);
        if (!["auto", "always", "never"].includes(opts.externalData))
          fail("BadOption", `--external-data ${opts.externalData}: expected auto, always or never`);
        const emit = emitList(opts.emit);
        const dims = opts.dims === undefined ? undefined : Number(opts.dims);
        if (dims !== undefined && !Number.isInteger(dims))
          fail("BadOption", `--dims ${opts.dims}: expected an integer channel count`);
        const r = checkSpec(spec, undefined, { overrides: setOverrides(opts.set) });
        const diagnostics: Diagnostic[] = [...r.diagnostics];
        const done = (code: number, data: unknown[]): number => {
          if (opts.json)
            io.out(
              JSON.stringify({ models: data, diagnostics: JSON.parse(renderJson(diagnostics)) }, null, 2),
            );
          else printDiagnostics(io, diagnostics, false);
          return code;
        };
        if (diagnostics.some((d) => d.severity === "error")) return done(1, []);
        const bag = new DiagnosticBag();
        if (r.models.length === 0) bag.report("NoModels", undefined, [spec]);
        const models = opts.model ? r.models.filter((m) => m.name === opts.model) : r.models;
        if (opts.model && models.length === 0)
          bag.report("UnknownModelOption", undefined, [
            opts.model,
            spec,
            r.models.map((m) => m.name).join(", ") || "none",
          ]);
        if (bag.hasErrors) {
          diagnostics.push(...bag.items);
          return done(1, []);
        }
        const weights = await readWeights(opts.weights);
        const data: unknown[] = [];
        if (opts.summary) {
          for (const ir of models) {
            const s = modelSummaries(ir, { emit, opset, weights });
            diagnostics.push(...s.diagnostics);
            if (!opts.json) for (const g of s.graphs) io.out(formatSummary(g.summary));
            data.push({ model: ir.name, graphs: s.graphs });
          }
          return done(exitCodeOf(diagnostics), data);
        }
        for (const ir of models) checkCompileFits(ir); // every model, before any file is written
        for (const ir of models) {
          // ViT-L and larger take tens of seconds: say what is happening
          const big = ir.backbone.dim * ir.backbone.dim * ir.backbone.depth > 20e6;
          const progress = !opts.json && big ? (s: string) => io.err(`  … ${s}`) : undefined;
          const out = await compileToDir(ir, opts.out, {
            emit,
            opset,
            weights,
            externalData: opts.externalData,
            ...(progress ? { progress } : {}),
            ...(dims !== undefined ? { dims } : {}),
          });
          diagnostics.push(...out.diagnostics);
          if (!opts.json) for (const rep of out.reports) io.out(reportLine(rep));
          data.push({
            model: ir.name,
            manifest: join(opts.out, `${ir.name}.manifest.json`),
            graphs: out.reports,
          });
        }
        return done(exitCodeOf(diagnostics), data);
      });
    });
};
