// Ctrl-C and SIGTERM for commands that run native code in worker threads (training on any device, GPU probes).
// The first signal asks the work to stop at its next safe point — or, while there is nothing worth saving yet,
// stops at once; a second one always stops at once. "At once" means: print the message, then end the process by
// re-raising the signal with its default action. No JavaScript teardown runs, so no worker is terminated while it
// is inside onnxruntime (terminating one there ends in `terminate called after throwing an instance of
// 'Napi::Error'` and SIGABRT), and the parent sees the usual status of an interrupted program (130 for SIGINT,
// 143 for SIGTERM). Files are safe without teardown: every output is written under a temporary name and renamed
// (src/files/output.ts), so what a kill interrupts is a temporary the next run removes.
import { writeSync } from "node:fs";

export type StopSignal = "SIGINT" | "SIGTERM";
const SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM"];

export interface StopHandlers {
  /**
   * The first signal. Returns the line to print when the work will stop at its next safe point (after asking it
   * to), or `{ now: line }` to stop at once (nothing to save yet).
   */
  first(signal: StopSignal): string | { readonly now: string };
  /** The line to print when a second signal stops the process at once. */
  again(signal: StopSignal): string;
  /** How lines reach the user (default: stderr, synchronously — the process may end right after). */
  readonly print?: (line: string) => void;
}

function printNow(line: string): void {
  writeSync(2, line.endsWith("\n") ? line : line + "\n");
}

/** Ends the process now, as `signal` would have without a handler. */
export function exitBySignal(signal: StopSignal): never {
  for (const s of SIGNALS) process.removeAllListeners(s); // back to the default action
  process.kill(process.pid, signal);
  // the signal is normally delivered before kill() returns; if a thread held it back, do not run teardown either
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable");
}

/**
 * Installs the handlers until the returned function is called. `exit` is how "at once" ends the process
 * (tests pass a recorder instead of exitBySignal).
 */
export function handleStopSignals(
  h: StopHandlers,
  exit: (signal: StopSignal) => void = exitBySignal,
): () => void {
  const print = h.print ?? printNow;
  let signalled = false;
  const on = (signal: StopSignal): void => {
    if (signalled) {
      print(h.again(signal));
      exit(signal);
      return;
    }
    signalled = true;
    const r = h.first(signal);
    if (typeof r === "string") print(r);
    else {
      print(r.now);
      exit(signal);
    }
  };
  const listeners = SIGNALS.map((s) => [s, () => on(s)] as const);
  for (const [s, f] of listeners) process.on(s, f);
  return () => {
    for (const [s, f] of listeners) process.removeListener(s, f);
  };
}
