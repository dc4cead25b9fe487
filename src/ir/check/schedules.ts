// Schedule checks (VFM3007, 3008, 3014): lengths after resolution to steps.
import { spanOf, type Schedule } from "../model.js";
import type { CheckContext } from "./context.js";

export function checkSchedules({ model, values, bag }: CheckContext): void {
  const schedules: [string, Schedule][] = [
    ["losses.dino.teacher_temp", model.losses.dino.teacherTemp],
    ["teacher.momentum", model.teacher.momentum],
    ["optim.lr", model.optim.lr],
    ["optim.weight_decay", model.optim.weightDecay],
  ];
  // the iBOT temperature defaults to the DINO one; check it only when written, or its errors would repeat
  if (values.has("losses.ibot.teacher_temp"))
    schedules.push(["losses.ibot.teacher_temp", model.losses.ibot.teacherTemp]);
  for (const [path, s] of schedules) {
    if (s.overSteps <= 0) {
      bag.report("ScheduleLength", spanOf(model, `${path}.over`), [
        path,
        "over",
        s.overSteps,
        "`over` must be at least 1 step",
      ]);
      continue;
    }
    if (s.warmupSteps < 0) {
      bag.report("ScheduleLength", spanOf(model, `${path}.warmup`), [
        path,
        "warmup",
        s.warmupSteps,
        "`warmup` cannot be negative",
      ]);
      continue;
    }
    if (s.warmupSteps > s.overSteps) {
      bag.report("WarmupTooLong", spanOf(model, `${path}.warmup`), [path, s.warmupSteps, s.overSteps]);
      continue;
    }
    if (s.overSteps > model.train.totalSteps) {
      bag.report("ScheduleLongerThanTraining", spanOf(model, `${path}.over`), [
        path,
        s.overSteps,
        model.train.totalSteps,
      ]);
    }
  }
}
