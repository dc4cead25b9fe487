// Command-line overrides of a spec's `train` section, applied to the model IR before compiling, so the compiled
// graphs, the manifest's schedules and the run hash all describe the run that actually happens.
// --steps/--epochs change the run length; every schedule (warmups included) and the frozen-last-layer span are
// stretched or compressed by the same factor, keeping the recipe's shape (a 10 % warmup stays 10 %).
// --batch recompiles (the step graph has a fixed batch) and re-applies the spec's lr scaling rule.
import { createHash } from "node:crypto";
import type { ModelIR, Schedule } from "../../ir/model.js";
import { lrScale } from "../../ir/model.js";

export interface TrainOverrides {
  readonly steps?: number;
  readonly epochs?: number;
  readonly batch?: number;
  readonly seed?: number;
}

function scaled(s: Schedule, f: number): Schedule {
  if (f === 1) return s;
  return {
    ...s,
    warmupSteps: Math.round(s.warmupSteps * f),
    overSteps: Math.max(1, Math.round(s.overSteps * f)),
  };
}

function isSchedule(v: object): v is Schedule {
  return "shape" in v && "overSteps" in v && "warmupSteps" in v;
}

/** `o` with every schedule inside it (the loss terms' temperatures, whatever the terms) scaled by `f`. */
function schedulesScaled<T>(o: T, f: number): T {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return o;
  if (isSchedule(o)) return scaled(o, f) as T;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, schedulesScaled(v, f)])) as T;
}

export function withOverrides(ir: ModelIR, o: TrainOverrides): ModelIR {
  const batch = o.batch ?? ir.train.batch;
  const steps =
    o.steps ?? (o.epochs !== undefined ? Math.round(o.epochs * ir.train.epochLength) : ir.train.totalSteps);
  const f = steps / ir.train.totalSteps;
  const lr =
    o.batch !== undefined
      ? { ...ir.optim.lr, from: ir.optim.baseLr * lrScale(ir.optim.lrScaling, batch * ir.train.devices) }
      : ir.optim.lr;
  return {
    ...ir,
    losses: schedulesScaled(ir.losses, f),
    teacher: { ...ir.teacher, momentum: scaled(ir.teacher.momentum, f) },
    optim: {
      ...ir.optim,
      lr: scaled(lr, f),
      warmupSteps: Math.round(ir.optim.warmupSteps * f),
      weightDecay: scaled(ir.optim.weightDecay, f),
      freezeLastLayerSteps: Math.round(ir.optim.freezeLastLayerSteps * f),
    },
    train: {
      ...ir.train,
      batch,
      totalSteps: steps,
      epochs: steps / ir.train.epochLength,
      seed: o.seed ?? ir.train.seed,
    },
  };
}

/**
 * A fingerprint of what a model means for training: the IR without where it was written (file, spans). Two runs
 * with the same hash compile to the same graphs and follow the same schedules.
 */
export function modelHash(ir: ModelIR, extra: Readonly<Record<string, unknown>> = {}): string {
  const { spans: _spans, file: _file, ...meaning } = ir;
  const json = JSON.stringify({ meaning, extra });
  return createHash("sha256").update(json).digest("hex").slice(0, 16);
}
