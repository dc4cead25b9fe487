// `vfmc fmt <spec…> [--check|--write]`: canonical formatting of .vfm specs (the prettier plugin in
// src/lang/format). A file with syntax errors is reported and left untouched.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  DiagnosticBag,
  DiagnosticError,
  makeDiagnostic,
  type Diagnostic,
} from "../../diagnostics/diagnostic.js";
import { formatVfm } from "../../lang/format/format.js";
import { noteInput } from "../../files/inputs.js";
import { writeOutput } from "../../files/output.js";
import { guarded, guardOptions, printDiagnostics, type Io } from "../io.js";
import type { RegisterCommand } from "./index.js";

interface FmtOptions {
  check?: boolean;
  write?: boolean;
}

type Outcome =
  { file: string; text: string; formatted: string } | { file: string; diagnostics: readonly Diagnostic[] };

/** Read fresh, not through the CLI's source cache: --write changes files under it. */
function readFresh(file: string): string | undefined {
  try {
    const text = readFileSync(file, "utf8");
    noteInput(file);
    return text;
  } catch {
    return undefined;
  }
}

async function formatFile(file: string): Promise<Outcome> {
  const text = readFresh(file);
  if (text === undefined)
    return {
      file,
      diagnostics: [
        new DiagnosticBag().report("FileNotFound", undefined, [file, "no such file, or it cannot be read"]),
      ],
    };
  try {
    return { file, text, formatted: await formatVfm(text, file) };
  } catch (e) {
    if (e instanceof DiagnosticError) return { file, diagnostics: e.diagnostics };
    throw e;
  }
}

export async function runFmt(io: Io, specs: readonly string[], opts: FmtOptions): Promise<number> {
  if (opts.check && opts.write)
    throw new DiagnosticError([
      makeDiagnostic("BadOption", undefined, ["--check and --write cannot be used together", "fmt"]),
    ]);
  let failed = false;
  const unformatted: string[] = [];
  for (const file of specs) {
    const r = await formatFile(file);
    if ("diagnostics" in r) {
      printDiagnostics(io, r.diagnostics, false);
      failed = true;
      continue;
    }
    const changed = r.formatted !== r.text;
    if (opts.check) {
      if (changed) unformatted.push(file);
    } else if (opts.write) {
      if (changed) {
        await writeOutput(file, r.formatted, { inPlace: true }); // the one output that replaces its input
        io.err(`formatted ${file}`);
      }
    } else if (r.formatted.length > 0) {
      io.out(r.formatted);
    }
  }
  if (unformatted.length > 0) {
    for (const f of unformatted) io.out(f);
    const n = unformatted.length;
    io.err(
      `${n} file${n === 1 ? " is" : "s are"} not formatted; run \`vfmc fmt --write\` on ${n === 1 ? "it" : "them"}`,
    );
  }
  return failed || unformatted.length > 0 ? 1 : 0;
}

export const registerFmt: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("fmt")
    .description(
      "format .vfm specs in the canonical style (2-space indent, one entry per line, short leaf blocks on one line)",
    )
    .argument("<spec...>", ".vfm files to format")
    .option("--check", "print the files that are not formatted and exit 1 if there are any; change nothing")
    .option("--write", "rewrite the files in place (only those that change)")
    .addHelpText(
      "after",
      "\nWithout --check or --write the formatted text goes to stdout.\n" +
        "A file with syntax errors is reported and left untouched (exit 1).\n" +
        "The same formatter is a prettier plugin: prettier --plugin ./dist/lang/format/plugin.js spec.vfm\n" +
        "Examples:\n" +
        "  vfmc fmt specs/franca.vfm             print the canonical form\n" +
        "  vfmc fmt --check specs/*.vfm          list files that need formatting (for CI)\n" +
        "  vfmc fmt --write specs/*.vfm          format in place\n",
    )
    .action(async (specs: string[], opts: FmtOptions) => {
      result.code = await guarded(io, guardOptions(program, {}), () => runFmt(io, specs, opts));
    });
};
