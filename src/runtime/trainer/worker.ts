// Worker-thread entry of the trainer (trainer.ts): runs trainLoop off the main thread, whose event loop stays free
// for the progress display and for signals. Runs only as compiled JavaScript (dist/runtime/trainer/worker.js).
import { parentPort, workerData } from "node:worker_threads";
import { DiagnosticError } from "../../diagnostics/diagnostic.js";
import type { TrainEvent, TrainJob, TrainSummary } from "./job.js";
import { trainLoop } from "./loop.js";

export interface WorkerInput {
  readonly job: TrainJob;
  /** Int32Array[1]: 0 = keep going, otherwise an index into STOP_REASONS */
  readonly stop: SharedArrayBuffer;
}

export const STOP_REASONS = ["", "SIGINT", "SIGTERM", "stop requested"] as const;

export type WorkerMessage =
  | { readonly type: "event"; readonly event: TrainEvent }
  | { readonly type: "done"; readonly summary: TrainSummary }
  | {
      readonly type: "error";
      readonly message: string;
      readonly stack?: string;
      readonly diagnostics?: DiagnosticError["diagnostics"];
    };

const port = parentPort;
if (port) {
  const { job, stop } = workerData as WorkerInput;
  const flag = new Int32Array(stop);
  trainLoop(job, {
    emit: (event) => port.postMessage({ type: "event", event } satisfies WorkerMessage),
    stopRequested: () => STOP_REASONS[Atomics.load(flag, 0)] || undefined,
  }).then(
    (summary) => port.postMessage({ type: "done", summary } satisfies WorkerMessage),
    (err: unknown) => {
      const e = err as Error;
      port.postMessage({
        type: "error",
        message: e?.message ?? String(err),
        ...(e?.stack ? { stack: e.stack } : {}),
        ...(err instanceof DiagnosticError ? { diagnostics: err.diagnostics } : {}),
      } satisfies WorkerMessage);
    },
  );
}
