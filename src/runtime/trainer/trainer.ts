// Starting a training run: in a worker thread when the compiled worker exists (dist/), so onnxruntime's blocking
// run() leaves the main thread free to draw progress and catch signals; in this thread otherwise (vitest runs the
// TypeScript sources, where no worker script exists) — there run() still yields between steps, so stop requests
// are seen at the next step boundary either way.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { DiagnosticError, InternalError } from "../../diagnostics/diagnostic.js";
import type { TrainEvent, TrainJob, TrainSummary } from "./job.js";
import { trainLoop } from "./loop.js";
import { STOP_REASONS, type WorkerInput, type WorkerMessage } from "./worker.js";

export interface TrainRun {
  readonly mode: "worker" | "in-thread";
  /** asks the run to stop after the current step (it writes a checkpoint and resolves normally) */
  stop(reason: "SIGINT" | "SIGTERM" | "stop requested"): void;
  readonly done: Promise<TrainSummary>;
}

export interface StartOptions {
  readonly onEvent: (e: TrainEvent) => void;
  /** "auto" (default): a worker when the compiled worker script exists */
  readonly mode?: "auto" | "worker" | "in-thread";
  readonly workerScript?: URL;
}

export function startTraining(job: TrainJob, opts: StartOptions): TrainRun {
  const script = opts.workerScript ?? new URL("./worker.js", import.meta.url);
  const useWorker =
    opts.mode === "worker" || (opts.mode !== "in-thread" && existsSync(fileURLToPath(script)));
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  const requestStop = (reason: (typeof STOP_REASONS)[number]): void => {
    if (Atomics.load(flag, 0) === 0) Atomics.store(flag, 0, Math.max(1, STOP_REASONS.indexOf(reason)));
  };
  if (!useWorker) {
    const done = trainLoop(job, {
      emit: opts.onEvent,
      stopRequested: () => STOP_REASONS[Atomics.load(flag, 0)] || undefined,
    });
    return { mode: "in-thread", stop: requestStop, done };
  }
  const worker = new Worker(script, { workerData: { job, stop } satisfies WorkerInput });
  const done = new Promise<TrainSummary>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "event") opts.onEvent(m.event);
      else if (m.type === "done") settle(() => resolve(m.summary));
      else if (m.diagnostics) settle(() => reject(new DiagnosticError(m.diagnostics!)));
      else {
        const e = new InternalError(m.message);
        if (m.stack) e.stack = m.stack;
        settle(() => reject(e));
      }
    });
    worker.on("error", (e) => settle(() => reject(e)));
    worker.on("exit", (code) =>
      settle(() => reject(new InternalError(`the training worker exited with code ${code}`))),
    );
  });
  return { mode: "worker", stop: requestStop, done };
}
