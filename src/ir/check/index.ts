// All model checks (VFM3xxx), in the order their diagnostics are most useful to read.
import type { CheckContext } from "./context.js";
import { checkConsistency } from "./consistency.js";
import { checkSchedules } from "./schedules.js";
import { checkShapes } from "./shapes.js";

export { checkBounds } from "./bounds.js";
export type { CheckContext } from "./context.js";

/** Checks a model's loss terms add after the model's own (src/lower/objectives: each term checks itself). */
export type TermChecks = (ctx: CheckContext) => void;

export function checkModel(ctx: CheckContext, termChecks: TermChecks): void {
  checkShapes(ctx);
  checkSchedules(ctx);
  checkConsistency(ctx);
  termChecks(ctx);
}
