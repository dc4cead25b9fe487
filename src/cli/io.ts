// Where the CLI meets the outside: printing diagnostics, reading files, and turning any failure
// into a diagnostic line instead of a stack trace.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { DiagnosticBag, DiagnosticError, InternalError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { renderJson, renderText } from "../diagnostics/render.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
};

const sourceCache = new Map<string, string | undefined>();
export function readSource(file: string): string | undefined {
  if (!sourceCache.has(file)) {
    try {
      sourceCache.set(file, readFileSync(file, "utf8"));
    } catch {
      sourceCache.set(file, undefined);
    }
  }
  return sourceCache.get(file);
}

export function printDiagnostics(io: Io, ds: readonly Diagnostic[], json: boolean): void {
  if (json) io.out(renderJson(ds));
  else for (const d of ds) io.err(renderText(d, readSource));
}

/** Exit code 1 when any error was reported. */
export function exitCodeOf(ds: readonly Diagnostic[]): number {
  return ds.some((d) => d.severity === "error") ? 1 : 0;
}

/**
 * Runs a command body; user errors arrive as DiagnosticError, vfmc bugs as anything else.
 * Neither prints a stack unless --trace was given.
 */
export async function guarded(
  io: Io,
  opts: { json?: boolean; trace?: boolean },
  body: () => Promise<number> | number,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof DiagnosticError) {
      printDiagnostics(io, e.diagnostics, opts.json ?? false);
      return exitCodeOf(e.diagnostics);
    }
    const bag = new DiagnosticBag();
    const message = e instanceof InternalError || e instanceof Error ? e.message : String(e);
    bag.report("InternalCompilerError", undefined, [message.split("\n")[0] ?? message]);
    printDiagnostics(io, bag.items, opts.json ?? false);
    if (opts.trace && e instanceof Error && e.stack) io.err(e.stack);
    return 2;
  }
}

/** What `guarded` needs from a command line: the command's --json and the program's global --trace. */
export function guardOptions(
  program: Command,
  opts: { json?: boolean },
): { json?: boolean; trace?: boolean } {
  return { json: opts.json, trace: program.opts<{ trace?: boolean }>().trace };
}
