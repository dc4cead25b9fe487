// The training loop on a hand-made contract graph (trainer-toy.ts): state fed back through pre-allocated buffers,
// schedules evaluated host-side, metrics.jsonl, checkpoints under the reference's names, resume equal to an
// uninterrupted run, stop requests, and the NaN guard keeping the last good checkpoint.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { scheduleValue } from "../../src/ir/model.js";
import { normaliseCheckpoint } from "../../src/lower/weights.js";
import { checkpointPath } from "../../src/runtime/checkpoint/checkpoint.js";
import { readSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import type { TrainEvent, TrainJob } from "../../src/runtime/trainer/job.js";
import { trainLoop } from "../../src/runtime/trainer/loop.js";
import { trainPlan } from "../../src/runtime/trainer/plan.js";
import { paramInitialiser } from "../../src/runtime/trainer/state.js";
import { toyJob } from "./trainer-toy.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-trainer-");

async function train(
  job: TrainJob,
  stopAfter?: number,
): Promise<{ events: TrainEvent[]; summary: Awaited<ReturnType<typeof trainLoop>> }> {
  const events: TrainEvent[] = [];
  let steps = 0;
  const summary = await trainLoop(job, {
    emit: (e) => {
      events.push(e);
      if (e.type === "step") steps++;
    },
    stopRequested: () => (stopAfter !== undefined && steps >= stopAfter ? "SIGINT" : undefined),
  });
  return { events, summary };
}

const stepEvents = (events: TrainEvent[]) => events.flatMap((e) => (e.type === "step" ? [e] : []));

async function tensors(dir: string): Promise<Map<string, number[] | bigint[]>> {
  const { tensors: t } = await readSafetensors(checkpointPath(dir));
  return new Map([...t].map(([k, v]) => [k, Array.from(v.data as ArrayLike<number>) as number[] | bigint[]]));
}

describe("the training loop on a contract graph", () => {
  it("reads roles from the manifest: state with feedback, schedules, batch, metrics (loss terms first)", () => {
    const plan = trainPlan(toyJob(join(root, "plan"), { steps: 1 }).manifest);
    expect(plan.state.map((s) => [s.input.name, s.output])).toContainEqual(["pos_embed", "next.pos_embed"]);
    expect(plan.state).toHaveLength(6);
    expect(plan.schedules.map((s) => s.input)).toEqual(["lr", "momentum", "last_layer_lr_factor"]);
    expect(plan.batch.map((b) => b.name)).toEqual(["global_crops", "local_crops", "n_masked"]);
    expect(plan.metrics).toEqual(["loss_probe", "loss", "lr_seen"]);
  });

  it("runs the steps, feeds the state back and writes metrics.jsonl and a checkpoint", async () => {
    const job = toyJob(join(root, "run"), { steps: 5 });
    const { events, summary } = await train(job);
    const steps = stepEvents(events);
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
    // the schedule the graph saw is the manifest's, evaluated at each step
    steps.forEach((e, i) =>
      expect(e.metrics.lr_seen).toBeCloseTo(scheduleValue(job.manifest.schedules.lr!, i), 9),
    );
    expect(summary).toMatchObject({
      steps: 5,
      startStep: 0,
      endStep: 5,
      batch: 2,
      checkpoint: checkpointPath(job.outDir),
    });
    expect(summary.dataWaitShare).toBeGreaterThanOrEqual(0);
    expect(summary.dataWaitShare).toBeLessThanOrEqual(1);
    const lines = readFileSync(join(job.outDir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[4]!.loss).toBe(steps[4]!.metrics.loss);

    const t = await tensors(job.outDir);
    expect([...t.keys()].sort()).toEqual(
      [
        "dino_loss.center",
        "optimizer.exp_avg.pos_embed",
        "optimizer.exp_avg_sq.pos_embed",
        "step",
        "student.backbone.pos_embed",
        "teacher.backbone.pos_embed",
      ].sort(),
    );
    expect(t.get("step")).toEqual([5n]);
    // the state moved: the student left its initial value, the teacher followed it part of the way
    const init = paramInitialiser(job.ir)("pos_embed")!;
    const student = t.get("student.backbone.pos_embed") as number[];
    expect(student.some((v, i) => v !== init[i])).toBe(true);
    const { tensors: raw, metadata } = await readSafetensors(checkpointPath(job.outDir));
    expect(metadata).toMatchObject({
      format: "vfmc-train-checkpoint",
      model: "toy",
      step: "5",
      run_hash: "toyhash",
    });
    // `vfmc compile --weights` reads such a file as its teacher
    expect(normaliseCheckpoint(raw).get("pos_embed")!.data).toEqual(
      raw.get("teacher.backbone.pos_embed")!.data,
    );
  });

  it("resumes bit-identically: 3 + 3 steps equal 6 steps, and metrics.jsonl is continued, not duplicated", async () => {
    const whole = toyJob(join(root, "whole"), { steps: 6 });
    await train(whole);
    const split = toyJob(join(root, "split"), { steps: 6 });
    const first = await train(split, 3);
    expect(first.summary).toMatchObject({ stoppedBy: "SIGINT", endStep: 3 });
    const second = await train({ ...split, resume: true });
    expect(second.summary).toMatchObject({ startStep: 3, endStep: 6, steps: 3 });
    expect(await tensors(split.outDir)).toEqual(await tensors(whole.outDir));
    const steps = readFileSync(join(split.outDir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("writes periodic checkpoints and stops on a stop request with a checkpoint of the steps done", async () => {
    const job = toyJob(join(root, "periodic"), { steps: 7 }, { checkpointEvery: 2 });
    const { events, summary } = await train(job, 5);
    expect(events.flatMap((e) => (e.type === "checkpoint" ? [e.step] : []))).toEqual([2, 4, 5]);
    expect(summary.stoppedBy).toBe("SIGINT");
    expect((await tensors(job.outDir)).get("step")).toEqual([5n]);
  });

  it("stops on a non-finite loss naming the step and the term, keeping the last good checkpoint", async () => {
    const job = toyJob(join(root, "nan"), { steps: 8, nanAfter: 4.5 }, { checkpointEvery: 2 });
    const path = checkpointPath(job.outDir);
    let error: unknown;
    try {
      await train(job);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiagnosticError);
    const d = (error as DiagnosticError).diagnostics[0]!;
    expect(d.code).toBe("VFM6202");
    expect(d.message).toBe("step 6: loss_probe is NaN, training stopped");
    expect(d.hint).toContain("the last good checkpoint (step 4) was kept");
    expect((await tensors(job.outDir)).get("step")).toEqual([4n]);
    expect(statSync(path).size).toBeGreaterThan(0);
  });

  it("refuses --resume without a checkpoint", async () => {
    const job = toyJob(join(root, "empty"), { steps: 2 }, { resume: true });
    await expect(train(job)).rejects.toMatchObject({
      diagnostics: [expect.objectContaining({ code: "VFM6206" })],
    });
  });
});
