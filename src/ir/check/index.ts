// All model checks (VFM3xxx), in the order their diagnostics are most useful to read.
import type { CheckContext } from "./context.js";
import { checkConsistency } from "./consistency.js";
import { checkRunDynamics } from "./dynamics.js";
import { checkSchedules } from "./schedules.js";
import { checkShapes } from "./shapes.js";

export { checkBounds } from "./bounds.js";
export type { CheckContext } from "./context.js";

/**
 * Checks a model's loss terms add after the model's own (src/lower/objectives: each term checks itself); `clean`:
 * no error was found in the model so far, so estimates of how it will train mean something.
 */
export type TermChecks = (ctx: CheckContext, clean: boolean) => void;

export function checkModel(ctx: CheckContext, termChecks: TermChecks): void {
  const errors = ctx.bag.items.filter((d) => d.severity === "error").length;
  checkShapes(ctx);
  checkSchedules(ctx);
  checkConsistency(ctx);
  // the dynamics estimates assume a model that builds: after an error they would only add noise
  const clean = ctx.bag.items.filter((d) => d.severity === "error").length === errors;
  if (clean) checkRunDynamics(ctx);
  termChecks(ctx, clean);
}
