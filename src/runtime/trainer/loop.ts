// The training loop, driven entirely by the manifest (plan.ts): per step, schedules evaluated host-side, one batch
// from the data pipeline, one `run` of the training-step graph, the state outputs written into the spare buffers
// and swapped in. It runs in a worker thread under the CLI (onnxruntime's run() blocks its thread) and in-thread in
// tests; `LoopHost` is the difference. Checkpoints, evaluation, the NaN guard and stop requests happen between steps.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DiagnosticBag, DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { scheduleValue } from "../../ir/model.js";
import { hrftInit } from "../../lower/hrft.js";
import type { WeightTensor } from "../../lower/weights.js";
import { createBatchProducer, type BatchProducer } from "../augment/worker-pool.js";
import {
  checkpointPath,
  latestCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  type CheckpointMeta,
  type StateTensors,
} from "../checkpoint/checkpoint.js";
import { readSafetensors } from "../checkpoint/safetensors.js";
import { openDataSource } from "../data/source.js";
import { knnOfWeights } from "../eval/run-knn.js";
import { createSession, ort } from "../session.js";
import { batchFeeds } from "./batch-feeds.js";
import { batchStreamOptions } from "./data-options.js";
import type { KnnPoint, TrainEvent, TrainJob, TrainSummary } from "./job.js";
import { trainPlan, type TrainPlan } from "./plan.js";
import { DeviceState, freshState, paramInitialiser, StateBuffers, type CarriedState } from "./state.js";

export interface LoopHost {
  emit(event: TrainEvent): void;
  /** the reason to stop (e.g. "SIGINT") once one was requested, checked between steps */
  stopRequested(): string | undefined;
}

export const METRICS_FILE = "metrics.jsonl";

function scheduleFeeds(plan: TrainPlan, job: TrainJob, step: number): Record<string, number> {
  const values: Record<string, number> = {};
  for (const s of plan.schedules) {
    if (s.key !== undefined) values[s.input] = scheduleValue(job.manifest.schedules[s.key]!, step);
    else values[s.input] = step < job.ir.optim.freezeLastLayerSteps ? 0 : 1; // last_layer_lr_factor (§7.1)
  }
  return values;
}

/** Keeps metrics.jsonl in step with the checkpoint: a resumed run drops the lines after the step it resumes at. */
function openMetrics(path: string, startStep: number): void {
  if (startStep === 0 || !existsSync(path)) {
    writeFileSync(path, "");
    return;
  }
  const kept = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && (JSON.parse(line) as { step: number }).step <= startStep);
  writeFileSync(path, kept.map((l) => l + "\n").join(""));
}

function nonFinite(plan: TrainPlan, metrics: Record<string, number>): string | undefined {
  return plan.metrics.find((m) => !Number.isFinite(metrics[m]));
}

/** The teacher's parameters of a state (the carried buffers, or the initial tensors) as weights to compile with. */
async function teacherWeights(
  plan: TrainPlan,
  get: (name: string) => Promise<unknown> | unknown,
): Promise<Map<string, WeightTensor>> {
  const m = new Map<string, WeightTensor>();
  for (const { input } of plan.state)
    if (input.role === "teacher")
      m.set(input.name, {
        dtype: "F32",
        shape: input.shape as number[],
        data: (await get(input.name)) as Float32Array,
      });
  return m;
}

/** `{"top1@20": …, "top5@20": …}`: one metrics.jsonl field per k, flat so `vfmc report` charts each. */
function knnFields(point: KnnPoint): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of point.report.results) {
    out[`top1@${r.k}`] = r.top1;
    out[`top5@${r.k}`] = r.top5;
  }
  return out;
}

/** --init: the checkpoint's backbone at the job's grid, fresh heads (its VFM4013 note was printed by the CLI). */
async function initFrom(job: TrainJob, file: string): Promise<(name: string) => Float32Array | undefined> {
  const { tensors } = await readSafetensors(file);
  const init = hrftInit(job.ir, tensors, file, new DiagnosticBag());
  return (name) => init.initial(name);
}

export async function trainLoop(job: TrainJob, host: LoopHost): Promise<TrainSummary> {
  const wall0 = performance.now();
  const plan = trainPlan(job.manifest);
  const groups = new Map(job.manifest.params.map((p) => [p.name, p.group]));
  const groupOf = (name: string) => groups.get(name);
  const ckpt = checkpointPath(job.outDir);

  let startStep = 0;
  let initial: StateTensors;
  if (job.resume) {
    const found = latestCheckpoint(job.outDir);
    if (!found)
      throw new DiagnosticError([makeDiagnostic("ResumeWithoutCheckpoint", undefined, [job.outDir])]);
    const loaded = await loadCheckpoint(found, plan, groupOf, job.identity);
    initial = loaded.state;
    startStep = loaded.meta.step;
  } else initial = freshState(plan, job.init ? await initFrom(job, job.init) : paramInitialiser(job.ir));
  const total = job.manifest.train.totalSteps;
  const B = job.manifest.train.batch;

  const knn: KnnPoint[] = [];
  const source = job.knn.enabled ? openDataSource(job.data) : undefined;
  const evalSource = job.evalData ? openDataSource(job.evalData) : source;
  const queries = job.evalData ? (evalSource?.test ?? evalSource?.train) : evalSource?.test;
  if (job.knn.enabled && !queries)
    throw new DiagnosticError([makeDiagnostic("EvalNoHeldOut", undefined, [job.identity.data])]);
  const metricsPath = join(job.outDir, METRICS_FILE);
  openMetrics(metricsPath, startStep);
  const evaluate = async (
    at: KnnPoint["at"],
    weights: Map<string, WeightTensor> | undefined,
  ): Promise<void> => {
    if (!job.knn.enabled || !source || !queries) return;
    const files = weights ? [{ file: "training state", tensors: weights }] : [];
    const report = await knnOfWeights(
      job.ir,
      files,
      { train: source.train, test: queries },
      { ...job.knn, device: job.device, threads: job.threads },
    );
    const point = { at, report };
    knn.push(point);
    // the point before training is at step 0; a resumed run's metrics.jsonl kept the points up to its start
    const at0 = typeof at === "number" ? at : 0;
    if (at0 > startStep || startStep === 0)
      appendFileSync(metricsPath, JSON.stringify({ step: at0, knn: knnFields(point) }) + "\n");
    host.emit({ type: "eval", point });
  };

  if (startStep >= total) {
    host.emit({
      type: "note",
      text: makeDiagnostic("TrainNothingToDo", undefined, [ckpt, startStep, total]).message,
    });
  }
  if (job.init) await evaluate("initial", await teacherWeights(plan, (name) => initial.get(name)));
  else await evaluate("random-init", undefined);

  const onDevice = job.device === "webgpu";
  const session = await createSession(job.trainModel, {
    device: job.device,
    threads: job.threads,
    cacheOptimized: true,
    ...(onDevice ? { deviceOutputs: DeviceState.outputs(plan) } : {}),
  });
  const state: CarriedState = onDevice ? new DeviceState(plan, initial) : new StateBuffers(plan, initial);
  const unsupported = (e: { name: string; role: string }) =>
    new DiagnosticError([makeDiagnostic("TrainInputUnsupported", undefined, ["train", e.name, e.role])]);
  const dropPath =
    job.ir.backbone.dropPath > 0 ? { rate: job.ir.backbone.dropPath, seed: job.ir.train.seed } : undefined;

  let producer: BatchProducer | undefined;
  let step = startStep;
  let lastCheckpoint: number | undefined = job.resume ? startStep : undefined;
  let loopMs = 0;
  let dataMs = 0;
  let finalMetrics: Record<string, number> = {};
  let stoppedBy: string | undefined;
  const meta = (s: number): CheckpointMeta => ({ ...job.identity, step: s });
  const writeCheckpoint = async (): Promise<void> => {
    await saveCheckpoint(ckpt, plan, groupOf, await state.snapshot(), meta(step));
    lastCheckpoint = step;
    host.emit({ type: "checkpoint", step, path: ckpt });
  };

  try {
    if (step < total) {
      producer = await createBatchProducer({
        ...batchStreamOptions(job.ir, job.data),
        startStep,
        ...(job.dataWorkers !== undefined ? { workers: job.dataWorkers } : {}),
      });
      host.emit({
        type: "start",
        startStep,
        totalSteps: total,
        batch: B,
        device: job.device,
        dataMode: producer.mode,
        dataWorkers: producer.workers,
      });
    }
    while (step < total) {
      const reason = host.stopRequested();
      if (reason) {
        stoppedBy = reason;
        break;
      }
      const t0 = performance.now();
      const batch = await producer!.next();
      const t1 = performance.now();
      const schedules = scheduleFeeds(plan, job, step);
      const feeds: Record<string, ort.Tensor> = {
        ...state.feeds(),
        ...batchFeeds(plan.batch, batch, dropPath, unsupported),
      };
      for (const [k, v] of Object.entries(schedules))
        feeds[k] = new ort.Tensor("float32", Float32Array.of(v), []);
      const fetches: Record<string, ort.Tensor | null> = state.fetches();
      for (const m of plan.metrics) fetches[m] = null;
      const out = await session.run(feeds, fetches as ort.InferenceSession.FetchesType);
      const metrics: Record<string, number> = {};
      for (const m of plan.metrics) metrics[m] = Number((out[m]!.data as Float32Array)[0]);
      const bad = nonFinite(plan, metrics);
      if (bad) {
        const kept =
          lastCheckpoint !== undefined
            ? `the last good checkpoint (step ${lastCheckpoint}) was kept in ${ckpt}`
            : "no checkpoint had been written yet";
        throw new DiagnosticError([
          makeDiagnostic("TrainNonFinite", undefined, [step + 1, bad, String(metrics[bad]), kept]),
        ]);
      }
      state.accept(out);
      step++;
      const t2 = performance.now();
      loopMs += t2 - t0;
      dataMs += t1 - t0;
      finalMetrics = metrics;
      const stepsRun = step - startStep;
      const ev = {
        type: "step" as const,
        step,
        totalSteps: total,
        metrics,
        schedules,
        stepMs: t2 - t0,
        dataMs: t1 - t0,
        imgPerSec: (stepsRun * B * 1000) / loopMs,
      };
      appendFileSync(
        metricsPath,
        JSON.stringify({
          step,
          ...metrics,
          ...schedules,
          step_ms: round3(ev.stepMs),
          data_ms: round3(ev.dataMs),
        }) + "\n",
      );
      host.emit(ev);
      if (step < total && job.checkpointEvery > 0 && step % job.checkpointEvery === 0)
        await writeCheckpoint();
      if (step < total && job.evalEvery > 0 && step % job.evalEvery === 0)
        await evaluate(step, await teacherWeights(plan, (name) => state.get(name)));
    }
    if (step > startStep || lastCheckpoint === undefined) await writeCheckpoint();
  } finally {
    await producer?.close();
    await session.release();
  }
  if (!stoppedBy) await evaluate(step, await teacherWeights(plan, (name) => state.get(name)));

  return {
    model: job.manifest.model,
    startStep,
    endStep: step,
    totalSteps: total,
    steps: step - startStep,
    batch: B,
    wallSeconds: (performance.now() - wall0) / 1000,
    loopSeconds: loopMs / 1000,
    imgPerSec: loopMs > 0 ? ((step - startStep) * B * 1000) / loopMs : 0,
    dataWaitShare: loopMs > 0 ? dataMs / loopMs : 0,
    finalMetrics,
    knn,
    ...(lastCheckpoint !== undefined ? { checkpoint: ckpt } : {}),
    ...(stoppedBy ? { stoppedBy } : {}),
    device: job.device,
    threads: job.threads,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
