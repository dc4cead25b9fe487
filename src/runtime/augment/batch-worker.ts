// Worker-thread entry for worker-pool.ts: opens its own copy of the dataset from the DataSpec, then answers
// { step } requests with transferred StepBatch buffers. Runs only as compiled JavaScript (dist/), see worker-pool.ts.
import { parentPort, workerData } from "node:worker_threads";
import { DiagnosticError } from "../../diagnostics/diagnostic.js";
import { openDataSource } from "../data/source.js";
import { BatchJob, transferablesOf, type BatchStreamOptions, type StepBatch } from "./batch-job.js";

export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "batch"; readonly step: number; readonly batch: StepBatch }
  | {
      readonly type: "error";
      readonly step?: number;
      readonly message: string;
      readonly diagnostics?: DiagnosticError["diagnostics"];
    };

function errorReply(err: unknown, step?: number): WorkerReply {
  const base = {
    type: "error" as const,
    ...(step !== undefined ? { step } : {}),
    message: (err as Error)?.message ?? String(err),
  };
  return err instanceof DiagnosticError ? { ...base, diagnostics: err.diagnostics } : base;
}

const port = parentPort;
if (port) {
  let job: BatchJob | undefined;
  try {
    const options = workerData as BatchStreamOptions;
    job = new BatchJob(options, openDataSource(options.data).train);
    port.postMessage({ type: "ready" } satisfies WorkerReply);
  } catch (err) {
    port.postMessage(errorReply(err));
  }
  // several steps may be in the making at once: their files are read and decoded off this thread meanwhile
  port.on("message", (msg: { step: number }) => {
    if (!job) return;
    job.produce(msg.step).then(
      (batch) =>
        port.postMessage(
          { type: "batch", step: msg.step, batch } satisfies WorkerReply,
          transferablesOf(batch),
        ),
      (err: unknown) => port.postMessage(errorReply(err, msg.step)),
    );
  });
}
