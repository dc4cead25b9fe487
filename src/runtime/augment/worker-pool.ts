// Batches made ahead of time in worker threads, so the next step's crops are ready while the graph runs.
// Step s goes to worker s mod W; up to `prefetch` steps are in flight; next() returns them strictly in step order.
// Every batch is a pure function of (options, step) (batch-job.ts), so the result does not depend on the number of
// workers, and a resumed run only needs its step (`startStep`).
//
// Workers need JavaScript: Node 20 cannot start a worker from a .ts file, and under vitest this module itself is
// TypeScript (src/), where the sibling batch-worker.js does not exist. So `createBatchProducer` looks for the
// compiled worker next to this file (dist/runtime/augment/batch-worker.js in a build) or at `workerScript`, and
// falls back to producing batches in this thread (mode "in-thread") when it finds none or when `workers` is 0.
// Tests exercise the in-thread path directly and the worker path with a transpiled copy of the sources.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { DiagnosticError, InternalError } from "../../diagnostics/diagnostic.js";
import { openDataSource } from "../data/source.js";
import { BatchJob, type BatchStreamOptions, type StepBatch } from "./batch-job.js";
import type { WorkerReply } from "./batch-worker.js";

export interface BatchProducer {
  readonly mode: "workers" | "in-thread";
  readonly workers: number;
  /** the step the next call to next() returns */
  readonly nextStep: number;
  next(): Promise<StepBatch>;
  close(): Promise<void>;
}

export interface ProducerOptions extends BatchStreamOptions {
  /** first step (a resumed run passes the step it resumes at); default 0 */
  readonly startStep?: number;
  /** worker threads; 0 = in-thread; default min(4, cores − 1) */
  readonly workers?: number;
  /** steps in flight ahead of the consumer (default 2 per worker) */
  readonly prefetch?: number;
  /** the compiled batch-worker.js (default: next to this module) */
  readonly workerScript?: URL;
}

export function createInThreadProducer(options: BatchStreamOptions, startStep = 0): BatchProducer {
  const job = new BatchJob(options, openDataSource(options.data).train);
  let step = startStep;
  return {
    mode: "in-thread",
    workers: 0,
    get nextStep() {
      return step;
    },
    next: () => job.produce(step++),
    close: async () => undefined,
  };
}

export async function createBatchProducer(options: ProducerOptions): Promise<BatchProducer> {
  const { startStep = 0, workerScript, prefetch, workers: asked, ...stream } = options;
  const script = workerScript ?? new URL("./batch-worker.js", import.meta.url);
  const workers = asked ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  if (workers === 0 || !existsSync(fileURLToPath(script))) return createInThreadProducer(stream, startStep);
  const pool = new WorkerPool(script, stream, workers, prefetch ?? 2 * workers, startStep);
  await pool.ready;
  return pool;
}

function rethrown(reply: Extract<WorkerReply, { type: "error" }>): Error {
  return reply.diagnostics
    ? new DiagnosticError(reply.diagnostics)
    : new InternalError(`batch worker: ${reply.message}`);
}

interface Pending {
  readonly promise: Promise<StepBatch>;
  resolve(b: StepBatch): void;
  reject(e: Error): void;
}

class WorkerPool implements BatchProducer {
  readonly mode = "workers";
  readonly ready: Promise<void>;
  private readonly threads: Worker[];
  private readonly pending = new Map<number, Pending>();
  private step: number;
  private dispatched: number;
  private failure: Error | undefined;

  constructor(
    script: URL,
    options: BatchStreamOptions,
    readonly workers: number,
    private readonly prefetch: number,
    startStep: number,
  ) {
    this.step = startStep;
    this.dispatched = startStep;
    this.threads = Array.from({ length: workers }, () => new Worker(script, { workerData: options }));
    this.ready = Promise.all(
      this.threads.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once("message", (m: WorkerReply) =>
              m.type === "ready"
                ? resolve()
                : reject(m.type === "error" ? rethrown(m) : new InternalError("bad worker reply")),
            );
            w.once("error", reject);
          }),
      ),
    ).then(
      () => this.listen(),
      async (err: Error) => {
        await this.close();
        throw err;
      },
    );
  }

  get nextStep(): number {
    return this.step;
  }

  private listen(): void {
    for (const w of this.threads) {
      w.on("message", (m: WorkerReply) => {
        if (m.type === "batch") this.pending.get(m.step)?.resolve(m.batch);
        else if (m.type === "error") this.fail(rethrown(m), m.step);
      });
      w.on("error", (err) => this.fail(err));
      w.on("exit", (code) => {
        if (code !== 0) this.fail(new InternalError(`batch worker exited with code ${code}`));
      });
    }
  }

  private fail(err: Error, step?: number): void {
    if (step !== undefined) {
      this.pending.get(step)?.reject(err);
      return;
    }
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
  }

  private fill(): void {
    while (this.dispatched < this.step + this.prefetch) {
      const s = this.dispatched++;
      let resolve!: (b: StepBatch) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<StepBatch>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined); // a prefetched failure surfaces when its step is asked for, not before
      this.pending.set(s, { promise, resolve, reject });
      this.threads[s % this.workers]!.postMessage({ step: s });
    }
  }

  async next(): Promise<StepBatch> {
    if (this.failure) throw this.failure;
    this.fill();
    const s = this.step++;
    const p = this.pending.get(s)!;
    try {
      return await p.promise;
    } finally {
      this.pending.delete(s);
      this.fill();
    }
  }

  async close(): Promise<void> {
    const closing = new InternalError("batch producer closed");
    for (const p of this.pending.values()) p.reject(closing);
    this.pending.clear();
    this.failure ??= closing;
    await Promise.all(this.threads.map((w) => w.terminate()));
  }
}
