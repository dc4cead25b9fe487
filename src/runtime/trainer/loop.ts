// The training loop, driven entirely by the manifest (plan.ts): per step, schedules evaluated host-side and one
// batch from the data pipeline; per call, K such steps stacked into one `run` of the steps graph (steps-call.ts;
// K = 1 with the plain step graph), its returned state fed to the next call. It runs in a worker thread under the
// CLI (onnxruntime's run() blocks its thread) and in-thread in tests; `LoopHost` is the difference. Checkpoints,
// evaluation, the NaN guard and stop requests happen between calls, and calls end where checkpoints are due.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DiagnosticBag,
  DiagnosticError,
  makeDiagnostic,
  type Diagnostic,
} from "../../diagnostics/diagnostic.js";
import { renderText } from "../../diagnostics/render.js";
import { OutputLog, writeOutput } from "../../files/output.js";
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
import type { Dataset, SkippedImage } from "../data/dataset.js";
import { describeDataSpec, openDataSource, type DataSpec } from "../data/source.js";
import { evalSplit } from "../eval/eval-split.js";
import { knnOfPixels, knnOfWeights } from "../eval/run-knn.js";
import { createSession, ort } from "../session.js";
import { batchFeeds } from "./batch-feeds.js";
import { batchStreamOptions } from "./data-options.js";
import type { KnnPoint, TrainEvent, TrainJob, TrainSummary } from "./job.js";
import { trainPlan, type TrainPlan } from "./plan.js";
import { SkippedFiles } from "./skipped-files.js";
import { DynamicsWatch } from "./watch.js";
import { CarriedState, freshState, paramInitialiser } from "./state.js";
import { maxStepsPerCall, metricAt, stackFeeds, stepsForCall } from "./steps-call.js";

export interface LoopHost {
  emit(event: TrainEvent): void;
  /** the reason to stop (e.g. "SIGINT") once one was requested, checked between steps */
  stopRequested(): string | undefined;
}

export const METRICS_FILE = "metrics.jsonl";
/** the run's description beside its metrics (TrainJob.record) */
export const RUN_RECORD = "run.json";
/** every image the run could not use: `path<TAB>reason` lines, in the order they were met */
export const SKIPPED_FILE = "skipped-files.txt";

function scheduleFeeds(plan: TrainPlan, job: TrainJob, step: number): Record<string, number> {
  const values: Record<string, number> = {};
  for (const s of plan.schedules) {
    if (s.key !== undefined) values[s.input] = scheduleValue(job.manifest.schedules[s.key]!, step);
    else values[s.input] = step < job.ir.optim.freezeLastLayerSteps ? 0 : 1; // the last-layer lr factor (§7.1)
  }
  return values;
}

/**
 * Keeps metrics.jsonl in step with the checkpoint: a resumed run drops the lines after the step it resumes at (and
 * any line a kill cut short); a run from step 0 starts a new log, which replaces the old one at its first checkpoint.
 */
function openMetrics(path: string, startStep: number): OutputLog {
  // the run rewrites its own log, which --resume read: in place on purpose
  if (startStep === 0 || !existsSync(path)) return OutputLog.open(path, { replace: true }, { inPlace: true });
  const kept = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => {
      try {
        return (JSON.parse(line) as { step: number }).step <= startStep;
      } catch {
        return false;
      }
    });
  return OutputLog.open(
    path,
    { replace: false, initial: kept.map((l) => l + "\n").join("") },
    { inPlace: true },
  );
}

function nonFinite(plan: TrainPlan, metrics: Record<string, number>): string | undefined {
  return plan.metrics.find((m) => !Number.isFinite(metrics[m]));
}

/**
 * The weights a state is evaluated with: the teacher's parameters when the model has a teacher (what DINOv2 and
 * Franca release), else the student's (MAE). As weights to compile with, from the carried buffers or the initial
 * tensors.
 */
async function evalWeights(
  plan: TrainPlan,
  read: (names: readonly string[]) => Promise<ReadonlyMap<string, unknown>> | ReadonlyMap<string, unknown>,
): Promise<Map<string, WeightTensor>> {
  const role = plan.state.some(({ input }) => input.role === "teacher") ? "teacher" : "param";
  const inputs = plan.state.map((s) => s.input).filter((i) => i.role === role);
  const values = await read(inputs.map((i) => i.name));
  const m = new Map<string, WeightTensor>();
  for (const input of inputs)
    m.set(input.name, {
      dtype: "F32",
      shape: input.shape as number[],
      data: values.get(input.name) as Float32Array,
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

/**
 * --init: the checkpoint's backbone at the job's grid, fresh heads; --weights: the same, with the heads the
 * checkpoint holds (the CLI printed what was taken).
 */
async function initFrom(
  job: TrainJob,
  file: string,
  heads: "fresh" | "checkpoint",
): Promise<(name: string) => Float32Array | undefined> {
  const { tensors } = await readSafetensors(file);
  const init = hrftInit(job.ir, tensors, file, new DiagnosticBag(), { heads });
  return (name) => init.initial(name);
}

/** The k-NN bank and queries (the CLI checked they can be evaluated, and turned k-NN off where not). */
function knnSplit(job: TrainJob): { train: Dataset; test: Dataset } {
  const open = (spec: DataSpec) => ({ source: openDataSource(spec), text: describeDataSpec(spec) });
  const r = evalSplit(open(job.data), job.evalData ? open(job.evalData) : undefined, "k-NN evaluation");
  if ("problem" in r) throw new DiagnosticError([r.problem]);
  return r.split;
}

/**
 * The steps graph when this job runs several steps per call, else undefined (the plain step graph). WebGPU keeps
 * the state in GPU buffers between calls of the step graph; CPU and CUDA run several steps per call through the
 * steps graph when the manifest has one, so the state stays inside onnxruntime between steps. One step per call
 * takes the plain step graph: the Loop's copy of its final state would only cost memory there.
 */
export function loopModelOf(
  job: Pick<TrainJob, "device" | "stepsPerCall" | "stepsModel">,
): string | undefined {
  return job.device === "webgpu" || job.stepsPerCall === 1 ? undefined : job.stepsModel;
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
  } else {
    const from = job.init ?? job.weights;
    const init = from
      ? await initFrom(job, from, job.init ? "fresh" : "checkpoint")
      : paramInitialiser(job.ir);
    initial = freshState(plan, init);
  }
  const total = job.manifest.train.totalSteps;
  const B = job.manifest.train.batch;

  const knn: KnnPoint[] = [];
  const split = job.knn.enabled ? knnSplit(job) : undefined;
  const metricsLog = openMetrics(join(job.outDir, METRICS_FILE), startStep);
  const skipped = new SkippedFiles(join(job.outDir, SKIPPED_FILE), job.resume);
  const noteSkipped = async (images: readonly SkippedImage[]): Promise<void> => {
    for (const s of await skipped.add(images))
      host.emit({
        type: "skipped",
        source: s.source,
        reason: s.reason,
        total: skipped.count,
        list: skipped.path,
      });
  };
  const writeRecord = () =>
    writeOutput(join(job.outDir, RUN_RECORD), JSON.stringify(job.record, null, 2) + "\n", { inPlace: true });
  if (!metricsLog.pending) await writeRecord();
  try {
    const evaluate = async (
      at: KnnPoint["at"],
      weights: Map<string, WeightTensor> | undefined,
    ): Promise<void> => {
      if (!job.knn.enabled || !split) return;
      const files = weights ? [{ file: "training state", tensors: weights }] : [];
      const report = await knnOfWeights(job.ir, files, split, {
        ...job.knn,
        device: job.device,
        threads: job.threads,
      });
      await noteSkipped(report.skipped);
      const point = { at, report };
      knn.push(point);
      // the point before training is at step 0; a resumed run's metrics.jsonl kept the points up to its start
      const at0 = typeof at === "number" ? at : 0;
      if (at0 > startStep || startStep === 0)
        metricsLog.append(JSON.stringify({ step: at0, knn: knnFields(point) }) + "\n");
      host.emit({ type: "eval", point });
    };

    if (startStep >= total) {
      host.emit({
        type: "note",
        text: makeDiagnostic("TrainNothingToDo", undefined, [ckpt, startStep, total]).message,
      });
    }
    if (job.init || job.weights) await evaluate("initial", await evalWeights(plan, () => initial));
    else await evaluate("random-init", undefined);
    // the baseline a learned feature has to beat: k-NN on the pixels themselves, same bank and queries
    if (job.knn.enabled && split) {
      const point: KnnPoint = { at: "raw-pixels", report: await knnOfPixels(job.ir, split, job.knn) };
      await noteSkipped(point.report.skipped);
      knn.push(point);
      if (startStep === 0)
        metricsLog.append(JSON.stringify({ step: 0, knn_pixels: knnFields(point) }) + "\n");
      host.emit({ type: "eval", point });
    }

    const onDevice = job.device === "webgpu";
    const loopModel = loopModelOf(job);
    const session = await createSession(loopModel ?? job.trainModel, {
      device: job.device,
      threads: job.threads,
      cacheOptimized: true,
      ...(job.optimization ? { optimization: job.optimization } : {}),
      ...(onDevice ? { deviceOutputs: CarriedState.outputs(plan) } : {}),
    });
    const state = new CarriedState(plan, initial, job.device);
    const callPlan = { totalSteps: total, fixed: loopModel ? job.stepsPerCall : 1 };
    const callMax = maxStepsPerCall(callPlan);
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
    let firstMetrics: Record<string, number> | undefined;
    const watch = new DynamicsWatch(plan.graph.outputs);
    const warnings: Diagnostic[] = [];
    let stoppedBy: string | undefined;
    let finalWeights: Map<string, WeightTensor> | undefined;
    const meta = (s: number): CheckpointMeta => ({ ...job.identity, step: s });
    /** a call ends where a checkpoint or an evaluation is due, or at the end */
    const nextBoundary = (from: number): number => {
      const after = (every: number) => (every > 0 ? (Math.floor(from / every) + 1) * every : total);
      return Math.min(total, after(job.checkpointEvery), after(job.evalEvery));
    };
    const writeCheckpoint = async (): Promise<void> => {
      await saveCheckpoint(ckpt, plan, groupOf, await state.snapshot(), meta(step));
      if (metricsLog.pending) {
        // this run now has something to show: its log and record replace the old run's
        metricsLog.commit();
        await writeRecord();
      }
      lastCheckpoint = step;
      host.emit({ type: "checkpoint", step, path: ckpt });
    };

    try {
      if (step < total) {
        producer = await createBatchProducer({
          ...batchStreamOptions(job.ir, job.data),
          ...(job.strictData ? { strict: true } : {}),
          startStep,
          ...(job.dataWorkers !== undefined ? { workers: job.dataWorkers } : {}),
          // a call takes K batches at once: keep the next call's batches in the making while this one runs
          ...(callMax > 1 ? { prefetch: 2 * callMax } : {}),
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
      let secondsPerStep: number | undefined;
      while (step < total) {
        const reason = host.stopRequested();
        if (reason) {
          stoppedBy = reason;
          break;
        }
        const k = stepsForCall(callPlan, step, nextBoundary(step), secondsPerStep);
        const t0 = performance.now();
        const batches = [];
        try {
          for (let j = 0; j < k; j++) batches.push(await producer!.next());
        } catch (e) {
          // a data error (--strict-data, or a dataset gone unreadable) stops the run where it stands, saved
          if (e instanceof DiagnosticError && step > startStep && lastCheckpoint !== step)
            await writeCheckpoint();
          throw e;
        }
        await noteSkipped(batches.flatMap((b) => b.crops.skipped));
        const t1 = performance.now();
        const schedules = batches.map((_, j) => scheduleFeeds(plan, job, step + j));
        const perStep = batches.map((batch, j) => {
          const feeds = batchFeeds(plan.batch, batch, dropPath, unsupported);
          for (const [name, v] of Object.entries(schedules[j]!))
            feeds[name] = new ort.Tensor("float32", Float32Array.of(v), []);
          return feeds;
        });
        const fetches: Record<string, ort.Tensor | null> = state.fetches();
        for (const m of plan.metrics) fetches[m] = null;
        const out = await session.run(
          { ...state.feeds(), ...(loopModel ? stackFeeds(perStep) : perStep[0]!) },
          fetches as ort.InferenceSession.FetchesType,
        );
        const metrics = batches.map((_, j) =>
          Object.fromEntries(plan.metrics.map((m) => [m, metricAt(out[m]!, j)])),
        );
        metrics.forEach((mj, j) => {
          const bad = nonFinite(plan, mj);
          if (!bad) return;
          // the whole call's state is dropped, good steps before the bad one included; calls never cross a checkpoint
          const kept =
            lastCheckpoint !== undefined
              ? `the last good checkpoint (step ${lastCheckpoint}) was kept in ${ckpt}`
              : "no checkpoint had been written yet";
          throw new DiagnosticError([
            makeDiagnostic("TrainNonFinite", undefined, [step + j + 1, bad, String(mj[bad]), kept]),
          ]);
        });
        state.accept(out);
        const t2 = performance.now();
        const msBefore = loopMs;
        loopMs += t2 - t0;
        dataMs += t1 - t0;
        secondsPerStep = (t2 - t1) / 1000 / k;
        for (const [j, mj] of metrics.entries()) {
          step++;
          finalMetrics = mj;
          firstMetrics ??= mj;
          const stepsRun = step - startStep;
          const ev = {
            type: "step" as const,
            step,
            totalSteps: total,
            metrics: mj,
            schedules: schedules[j]!,
            stepMs: (t2 - t0) / k,
            dataMs: (t1 - t0) / k,
            imgPerSec: (stepsRun * B * 1000) / (msBefore + ((t2 - t0) * (j + 1)) / k),
            skippedFiles: skipped.count,
          };
          metricsLog.append(
            JSON.stringify({
              step,
              ...mj,
              ...schedules[j],
              step_ms: round3(ev.stepMs),
              data_ms: round3(ev.dataMs),
              ...(skipped.count > 0 ? { skipped_files: skipped.count } : {}),
            }) + "\n",
          );
          host.emit(ev);
          for (const d of watch.observe(step, mj)) {
            warnings.push(d);
            host.emit({ type: "note", text: renderText(d) });
          }
        }
        if (step < total && job.checkpointEvery > 0 && step % job.checkpointEvery === 0)
          await writeCheckpoint();
        if (step < total && job.evalEvery > 0 && step % job.evalEvery === 0)
          await evaluate(step, await evalWeights(plan, (names) => state.read(names)));
      }
      if (step > startStep || lastCheckpoint === undefined) await writeCheckpoint();
      if (!stoppedBy) finalWeights = await evalWeights(plan, (names) => state.read(names));
    } finally {
      await producer?.close();
      await session.release();
      await state.release();
    }
    // a stop asked for after the last step skips the final evaluation too (the checkpoint is written)
    stoppedBy ??= host.stopRequested();
    if (finalWeights && !stoppedBy) await evaluate(step, finalWeights);

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
      firstMetrics: firstMetrics ?? {},
      warnings,
      knn,
      skippedFiles: skipped.count,
      ...(lastCheckpoint !== undefined ? { checkpoint: ckpt } : {}),
      ...(stoppedBy ? { stoppedBy } : {}),
      device: job.device,
      threads: job.threads,
    };
  } finally {
    metricsLog.discard(); // a replacing log that never reached a checkpoint: the old one stays
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
