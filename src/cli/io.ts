// Where the CLI meets the outside: printing diagnostics, reading files, and turning any failure into a diagnostic
// line and an exit code instead of a stack trace. The exit-code rule lives here, once: 0 success (warnings allowed),
// 1 a user mistake (any error diagnostic of the catalogue), 2 a usage error (the command line itself is wrong, as for
// commander's own errors) or a vfmc bug (VFM5999).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { Diag, type DiagKey } from "../diagnostics/catalogue.js";
import { DiagnosticError, makeDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { renderJson, renderText } from "../diagnostics/render.js";
import { isFsError, fsReason, fsRemedy } from "../files/fs-errors.js";
import { noteInput } from "../files/inputs.js";

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
      noteInput(file);
    } catch {
      sourceCache.set(file, undefined);
    }
  }
  return sourceCache.get(file);
}

/** Text output shows this many diagnostics, then one line saying how many more there are (as compilers do). */
export const MAX_PRINTED_DIAGNOSTICS = 50;

/** A source that is no file (a `--set` argument), so diagnostics in it show their line and carets too. */
export function registerSource(file: string, text: string): void {
  sourceCache.set(file, text);
}

export function printDiagnostics(io: Io, ds: readonly Diagnostic[], json: boolean): void {
  if (json) {
    io.out(renderJson(ds));
    return;
  }
  const shown = ds.length > MAX_PRINTED_DIAGNOSTICS ? ds.slice(0, MAX_PRINTED_DIAGNOSTICS) : ds;
  for (const d of shown) io.err(renderText(d, readSource));
  if (shown.length < ds.length)
    io.err(
      renderText(
        makeDiagnostic("DiagnosticsCapped", undefined, [ds.length - shown.length, MAX_PRINTED_DIAGNOSTICS]),
      ),
    );
}

/** The exit code of one error diagnostic: 2 for usage errors and vfmc bugs, 1 for user mistakes. */
export function errorExitCode(key: DiagKey): 1 | 2 {
  return "kind" in Diag[key] ? 2 : 1;
}

/** 0 without errors (warnings and notes allowed), else the largest exit code of the errors. */
export function exitCodeOf(ds: readonly Diagnostic[]): number {
  let code = 0;
  for (const d of ds) if (d.severity === "error") code = Math.max(code, errorExitCode(d.key));
  return code;
}

/** "Array buffer allocation failed" and its kin: a request larger than memory, not a vfmc bug. */
function isAllocationFailure(e: unknown): e is RangeError {
  return (
    e instanceof RangeError &&
    /allocation failed|Invalid typed array length|Invalid array length|Array buffer allocation/i.test(
      e.message,
    )
  );
}

/** The diagnostics an error thrown out of a command stands for. */
export function diagnosticsOf(e: unknown): readonly Diagnostic[] {
  if (e instanceof DiagnosticError) return e.diagnostics;
  if (isFsError(e))
    return [
      makeDiagnostic("FileSystemError", undefined, [
        e.path ?? e.syscall ?? "a file",
        fsReason(e),
        fsRemedy(e),
      ]),
    ];
  if (isAllocationFailure(e)) return [makeDiagnostic("AllocationFailed", undefined, [e.message])];
  const message = e instanceof Error ? e.message : String(e);
  return [makeDiagnostic("InternalCompilerError", undefined, [message.split("\n")[0] ?? message])];
}

/**
 * Runs a command body; user errors arrive as DiagnosticError (or as file-system errors, which are explained the
 * same way), vfmc bugs as anything else. Neither prints a stack unless --trace was given.
 */
export async function guarded(
  io: Io,
  opts: { json?: boolean; trace?: boolean },
  body: () => Promise<number> | number,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    const ds = diagnosticsOf(e);
    printDiagnostics(io, ds, opts.json ?? false);
    const bug = ds.some((d) => d.key === "InternalCompilerError");
    if (opts.trace && bug && e instanceof Error && e.stack) io.err(e.stack);
    return exitCodeOf(ds);
  }
}

/** What `guarded` needs from a command line: the command's --json and the program's global --trace. */
export function guardOptions(
  program: Command,
  opts: { json?: boolean },
): { json?: boolean; trace?: boolean } {
  return { json: opts.json, trace: program.opts<{ trace?: boolean }>().trace };
}
