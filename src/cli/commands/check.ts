// `vfmc check <spec…>`: parse, resolve and check specs; every problem of every file in one run.
import type { Command } from "commander";
import { DiagnosticBag, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { checkSpec } from "../../lower/check-spec.js";
import type { SetOverride } from "../../lang/set-override.js";
import { setOption, setOverrides } from "../options.js";
import { exitCodeOf, guarded, guardOptions, printDiagnostics, type Io } from "../io.js";
import type { RegisterCommand } from "./index.js";

export function checkFiles(
  files: readonly string[],
  overrides: readonly SetOverride[] = [],
): { diagnostics: Diagnostic[]; models: number } {
  const diagnostics: Diagnostic[] = [];
  let models = 0;
  for (const file of files) {
    const r = checkSpec(file, undefined, { overrides });
    diagnostics.push(...r.diagnostics);
    models += r.models.length;
    if (r.files.size > 0 && (r.files.values().next().value?.models.length ?? 0) === 0) {
      diagnostics.push(new DiagnosticBag().report("NoModels", undefined, [file]));
    }
  }
  return { diagnostics, models };
}

export const registerCheck: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("check")
    .description("check .vfm specs: syntax, imports and extends, keys and values, and model consistency")
    .argument("<spec...>", ".vfm files to check")
    .addOption(setOption())
    .option("--json", "print the diagnostics as a JSON array (empty when clean)")
    .addHelpText(
      "after",
      "\nExit status: 0 when no errors (warnings allowed), 1 when any error was found.\n" +
        "Examples:\n" +
        "  vfmc check specs/franca.vfm\n" +
        "  vfmc check specs/*.vfm --json\n",
    )
    .action(async (specs: string[], opts: { json?: boolean; set: string[] }) => {
      result.code = await guarded(io, guardOptions(program, opts), () => {
        const { diagnostics, models } = checkFiles(specs, setOverrides(opts.set));
        printDiagnostics(io, diagnostics, opts.json ?? false);
        const errors = diagnostics.filter((d) => d.severity === "error").length;
        if (!opts.json) {
          const warnings = diagnostics.filter((d) => d.severity === "warning").length;
          const what = `${specs.length} file${specs.length === 1 ? "" : "s"}, ${models} model${models === 1 ? "" : "s"}`;
          io.err(errors || warnings ? `${what}: ${errors} error(s), ${warnings} warning(s)` : `${what}: ok`);
        }
        return exitCodeOf(diagnostics);
      });
    });
};
