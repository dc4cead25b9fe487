// Training checkpoints: the whole carried state of a run in one safetensors file, under the reference's names
// (DINOv2's `student.backbone.*`, `teacher.backbone.*`, `student.dino_head.*` …; AdamW moments as
// `optimizer.exp_avg.<param>` / `optimizer.exp_avg_sq.<param>`; centering buffers as `dino_loss.center`), plus
// metadata saying which run wrote it. Writing goes through the output helper (temp file + rename), so the previous
// checkpoint stays readable until the new one is complete. Loading checks everything before anything is used:
// the run identity, every tensor's presence, dtype and shape.
//
// Randomness needs no saved generator: every batch, mask and drop-path draw comes from Rng.derive(seed, stream,
// step), so (seed, step) is the complete RNG state; the metadata records it under `rng`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import type { IoEntry } from "../../lower/manifest.js";
import { paramOfState } from "../../lower/contract.js";
import type { TrainPlan } from "../trainer/plan.js";
import {
  SafetensorsReader,
  writeSafetensors,
  type Dtype,
  type TensorArray,
  type TensorToWrite,
} from "./safetensors.js";

export const CHECKPOINT_FORMAT = "vfmc-train-checkpoint";
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/** State tensors by graph input name. */
export type StateTensors = Map<string, Float32Array | BigInt64Array>;

/** What must match for a checkpoint to continue a run. */
export interface RunIdentity {
  readonly model: string;
  /** modelHash of the effective IR (overrides applied) */
  readonly runHash: string;
  readonly seed: number;
  /** the --data source, as describeDataSpec prints it */
  readonly data: string;
  /** the --set overrides of the spec, as given (a record: the run hash already holds what they changed) */
  readonly set?: readonly string[];
}

export interface CheckpointMeta extends RunIdentity {
  /** optimiser steps taken */
  readonly step: number;
}

export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}

export function latestCheckpoint(dir: string): string | undefined {
  const p = checkpointPath(dir);
  return existsSync(p) ? p : undefined;
}

/** The checkpoint key of a state input; `groupOf` gives a parameter's sub-module (backbone, dino_head, …). */
export function checkpointKey(input: IoEntry, groupOf: (param: string) => string | undefined): string {
  const bare = paramOfState(input.name);
  const module = (owner: string): string =>
    `${owner}.${groupOf(bare) === "backbone" ? "backbone." : ""}${bare}`;
  switch (input.role) {
    case "param":
      return module("student");
    case "teacher":
      return module("teacher");
    case "opt_m":
      return `optimizer.exp_avg.${bare}`;
    case "opt_v":
      return `optimizer.exp_avg_sq.${bare}`;
    default:
      return input.name; // step, centering buffers: their graph names are already the reference's
  }
}

function dtypeOf(input: IoEntry): Dtype {
  return input.dtype === "int64" ? "I64" : "F32";
}

export async function saveCheckpoint(
  path: string,
  plan: TrainPlan,
  groupOf: (param: string) => string | undefined,
  state: StateTensors,
  meta: CheckpointMeta,
): Promise<void> {
  const tensors: TensorToWrite[] = plan.state.map(({ input }) => {
    const data = state.get(input.name);
    if (!data) throw new Error(`no state for ${input.name}`);
    return {
      name: checkpointKey(input, groupOf),
      dtype: dtypeOf(input),
      shape: input.shape as number[],
      data: data as TensorArray,
    };
  });
  await writeSafetensors(
    path,
    tensors,
    {
      format: CHECKPOINT_FORMAT,
      version: "1",
      model: meta.model,
      run_hash: meta.runHash,
      step: String(meta.step),
      seed: String(meta.seed),
      data: meta.data,
      ...(meta.set?.length ? { set: JSON.stringify(meta.set) } : {}),
      rng: JSON.stringify({
        algorithm: "xoshiro128**",
        derivation: "Rng.derive(seed, stream, step)",
        seed: meta.seed,
        step: meta.step,
      }),
    },
    // a run replaces its own checkpoint (which --resume read) on purpose
    { failure: "CheckpointWriteFailed", inPlace: true },
  );
}

/** The metadata of a checkpoint (empty when it has none); throws the safetensors diagnostics of a broken file. */
export async function checkpointMetadata(path: string): Promise<Readonly<Record<string, string>>> {
  const reader = await SafetensorsReader.open(path);
  await reader.close();
  return reader.metadata;
}

function notTraining(path: string, why: string): DiagnosticError {
  return new DiagnosticError([makeDiagnostic("CheckpointNotTraining", undefined, [path, why])]);
}

/** Reads and validates a checkpoint against the plan and the run; throws before returning anything partial. */
export async function loadCheckpoint(
  path: string,
  plan: TrainPlan,
  groupOf: (param: string) => string | undefined,
  expected: RunIdentity,
): Promise<{ state: StateTensors; meta: CheckpointMeta }> {
  const reader = await SafetensorsReader.open(path);
  try {
    const md = reader.metadata;
    if (md.format !== CHECKPOINT_FORMAT)
      throw notTraining(path, md.format ? `its format is '${md.format}'` : "it has no vfmc metadata");
    const step = Number(md.step);
    if (!Number.isSafeInteger(step) || step < 0)
      throw notTraining(path, `its step '${md.step}' is not a step count`);
    const differences: string[] = [];
    if (md.model !== expected.model) differences.push(`model ${md.model}, not ${expected.model}`);
    else if (md.run_hash !== expected.runHash)
      differences.push(`spec or options differ (run hash ${md.run_hash}, this run ${expected.runHash})`);
    if (md.seed !== String(expected.seed)) differences.push(`seed ${md.seed}, not ${expected.seed}`);
    if (md.data !== expected.data) differences.push(`data ${md.data}, not ${expected.data}`);
    if (differences.length > 0)
      throw new DiagnosticError([
        makeDiagnostic("CheckpointOtherRun", undefined, [path, differences.join("; ")]),
      ]);

    const diagnostics = [];
    for (const { input } of plan.state) {
      const key = checkpointKey(input, groupOf);
      const info = reader.tensors.get(key);
      if (!info) {
        diagnostics.push(
          makeDiagnostic("CheckpointMissingTensor", undefined, [path, key], {
            hintArgs: [path, key, `${reader.tensors.size} tensors`],
          }),
        );
        continue;
      }
      const want = input.shape as number[];
      if (
        info.dtype !== dtypeOf(input) ||
        info.shape.length !== want.length ||
        info.shape.some((d, i) => d !== want[i])
      )
        diagnostics.push(
          makeDiagnostic("CheckpointShapeMismatch", undefined, [
            path,
            key,
            info.dtype,
            info.shape.join(", "),
            dtypeOf(input),
            want.join(", "),
          ]),
        );
    }
    if (diagnostics.length > 0) throw new DiagnosticError(diagnostics);

    const state: StateTensors = new Map();
    for (const { input } of plan.state) {
      const t = await reader.read(checkpointKey(input, groupOf));
      state.set(input.name, t.data as Float32Array | BigInt64Array);
    }
    return {
      state,
      meta: { model: md.model!, runHash: md.run_hash!, seed: Number(md.seed), data: md.data!, step },
    };
  } finally {
    await reader.close();
  }
}
