// All model checks (VFM3xxx), in the order their diagnostics are most useful to read.
import type { CheckContext } from "./context.js";
import { checkConsistency } from "./consistency.js";
import { checkSchedules } from "./schedules.js";
import { checkShapes } from "./shapes.js";

export { checkBounds } from "./bounds.js";
export type { CheckContext } from "./context.js";

export function checkModel(ctx: CheckContext): void {
  checkShapes(ctx);
  checkSchedules(ctx);
  checkConsistency(ctx);
}
