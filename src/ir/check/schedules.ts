// Schedule checks (VFM3007, 3008, 3014): lengths after resolution to steps.
import { spanOf, type Schedule } from "../model.js";
import type { CheckContext } from "./context.js";

/** The schedules every model has; loss terms check their own (checkSchedule) with the consistency rules. */
export function checkSchedules(ctx: CheckContext): void {
  const { model } = ctx;
  checkSchedule(ctx, "teacher.momentum", model.teacher.momentum);
  checkSchedule(ctx, "optim.lr", model.optim.lr);
  checkSchedule(ctx, "optim.weight_decay", model.optim.weightDecay);
}

/** One schedule's lengths after resolution to steps, against itself and the run. */
export function checkSchedule({ model, bag }: CheckContext, path: string, s: Schedule): void {
  if (s.overSteps <= 0) {
    bag.report("ScheduleLength", spanOf(model, `${path}.over`), [
      path,
      "over",
      s.overSteps,
      "`over` must be at least 1 step",
    ]);
    return;
  }
  if (s.warmupSteps < 0) {
    bag.report("ScheduleLength", spanOf(model, `${path}.warmup`), [
      path,
      "warmup",
      s.warmupSteps,
      "`warmup` cannot be negative",
    ]);
    return;
  }
  if (s.warmupSteps > s.overSteps) {
    bag.report("WarmupTooLong", spanOf(model, `${path}.warmup`), [path, s.warmupSteps, s.overSteps]);
    return;
  }
  if (s.overSteps > model.train.totalSteps) {
    bag.report("ScheduleLongerThanTraining", spanOf(model, `${path}.over`), [
      path,
      s.overSteps,
      model.train.totalSteps,
    ]);
  }
}
