// How many training steps one onnxruntime call runs, and the stacked feeds of such a call (the `steps` graph,
// lower/train-steps.ts, takes every per-step input with a leading axis of that length).
import { InternalError } from "../../diagnostics/diagnostic.js";
import { ort } from "../session.js";

/** `auto`: a call lasts about this long once the step time is known… */
const AUTO_CALL_SECONDS = 15;
/** …runs at most this many steps… */
const AUTO_MAX_STEPS = 64;
/** …and a run is cut into at least this many calls, so short runs still show progress. */
const AUTO_MIN_CALLS = 20;

export interface CallPlan {
  /** fixed steps per call, or undefined for `auto` */
  readonly fixed?: number;
  readonly totalSteps: number;
}

/**
 * Steps for the next call starting at `step`: never past `boundary` (the next checkpoint, evaluation or the end),
 * `auto` sized from the seconds per step measured so far (one step first, which also pays the warm-up).
 */
export function stepsForCall(
  plan: CallPlan,
  step: number,
  boundary: number,
  secondsPerStep: number | undefined,
): number {
  const room = Math.max(1, boundary - step);
  if (plan.fixed !== undefined) return Math.min(plan.fixed, room);
  if (secondsPerStep === undefined) return 1;
  const cap = maxStepsPerCall(plan);
  const wanted = Math.floor(AUTO_CALL_SECONDS / Math.max(secondsPerStep, 1e-3));
  return Math.min(room, cap, Math.max(1, wanted));
}

/** The most steps a call of this plan can ask for (the data pipeline keeps that many batches in flight). */
export function maxStepsPerCall(plan: CallPlan): number {
  return plan.fixed ?? Math.min(AUTO_MAX_STEPS, Math.max(1, Math.ceil(plan.totalSteps / AUTO_MIN_CALLS)));
}

type Data = ort.Tensor["data"];

/** Per-step feeds (same names, same shapes each step) → one feed per name with a leading steps axis. */
export function stackFeeds(perStep: readonly Record<string, ort.Tensor>[]): Record<string, ort.Tensor> {
  const first = perStep[0];
  if (!first) throw new InternalError("no steps to stack");
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t0] of Object.entries(first)) {
    const n = t0.data.length;
    const data = new (t0.data.constructor as new (len: number) => Data & { set(a: Data, at: number): void })(
      n * perStep.length,
    );
    perStep.forEach((feeds, k) => {
      const t = feeds[name];
      if (!t || t.type !== t0.type || t.data.length !== n)
        throw new InternalError(`step ${k} of a call feeds ${name} differently from the first`);
      data.set(t.data, k * n);
    });
    out[name] = new ort.Tensor(t0.type, data as never, [perStep.length, ...t0.dims]);
  }
  return out;
}

/** Step `k`'s value of a metric the steps graph returned stacked (a plain step graph returns a scalar). */
export function metricAt(t: ort.Tensor, k: number): number {
  return Number((t.data as Float32Array)[t.dims.length === 0 ? 0 : k]);
}
