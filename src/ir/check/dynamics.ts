// Training-dynamics warnings of the run as a whole (VFM3703, 3704): a learning rate too small to move the heads,
// warm-ups that take most of the run. The loss terms' own (a loss starting on its plateau, Sinkhorn with far more
// prototypes than samples) come from their first-step estimates, in src/lower/dynamics.ts.
import { lrTravel } from "../dynamics.js";
import { HEAD_INIT } from "../init-scheme.js";
import { spanOf } from "../model.js";
import type { CheckContext } from "./context.js";

/** a warm-up longer than this share of the run leaves too little of it at full strength */
export const WARMUP_SHARE = 0.5;

/** numbers as people read them: 3 significant digits, exponent form outside 0.01 … 1000 */
export function formatEstimate(x: number): string {
  if (x === 0) return "0";
  return Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? String(Number(x.toPrecision(3))) : x.toExponential(1);
}

/**
 * VFM3704 when `what` (a warm-up of `steps` steps, written at `path`) takes at least half the run but not all of it
 * (longer than the run is VFM3008, 3014 or 3019 already).
 */
export function checkWarmupShare(
  { model, bag }: CheckContext,
  what: string,
  path: string,
  steps: number,
): void {
  const total = model.train.totalSteps;
  const share = steps / total;
  if (share < WARMUP_SHARE || share >= 1) return;
  bag.report("WarmupTakesMostOfRun", spanOf(model, path), [what, steps, total, Math.round(100 * share)]);
}

export function checkRunDynamics(ctx: CheckContext): void {
  const { model, values, bag } = ctx;
  const o = model.optim;
  const travel = lrTravel(model);
  if (travel < HEAD_INIT.linearStd) {
    const scaling = o.lrScaling !== "none";
    const scaled = scaling ? `, ${o.lrScaling} at batch ${model.train.batch * model.train.devices}` : "";
    bag.report(
      "HeadsCannotMove",
      spanOf(model, scaling && values.has("optim.lr_scaling") ? "optim.lr_scaling" : "optim.lr"),
      [formatEstimate(travel), `peak ${formatEstimate(o.lr.from)}${scaled}`, HEAD_INIT.linearStd],
    );
  }
  checkWarmupShare(ctx, "the lr warm-up", "optim.lr.warmup", o.lr.warmupSteps);
  checkWarmupShare(ctx, "the frozen last layer", "optim.freeze_last_layer", o.freezeLastLayerSteps);
}
