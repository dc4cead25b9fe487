// Test harness for the CLI: run `vfmc` in-process with its output captured. The CLI tests drive `main` directly so
// that a failure shows the diagnostics, not a child process's exit status.
import type { Io } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * How each printed chunk is ended in the capture: "always" appends a newline to every chunk; "missing" appends one
 * only where the chunk lacks it, as `processIo` does on a terminal.
 */
export type NewlinePolicy = "always" | "missing";

export async function runCli(args: readonly string[], newline: NewlinePolicy): Promise<CliResult> {
  let out = "";
  let err = "";
  const line = (t: string): string => (newline === "missing" && t.endsWith("\n") ? t : t + "\n");
  const io: Io = { out: (t) => void (out += line(t)), err: (t) => void (err += line(t)) };
  const code = await main([...args], io);
  return { code, out, err };
}

/** `vfmc ARGS…`, every printed chunk followed by a newline. */
export const vfmc = (...args: string[]): Promise<CliResult> => runCli(args, "always");

/** `vfmc ARGS…`, captured as a terminal would show it. */
export const vfmcAsPrinted = (...args: string[]): Promise<CliResult> => runCli(args, "missing");
