// The one entry every consumer uses (CLI commands, the language server, tests): a .vfm file → checked model IRs and
// every diagnostic, the loss terms' own checks included. The checker proper is src/ir/compile-spec.ts; the terms'
// rules live with the terms (objectives/), downstream of it, so they are handed in here.
import type { CheckContext } from "../ir/check/context.js";
import { checkSpecWith, type CheckOptions, type SpecResult } from "../ir/compile-spec.js";
import type { ResolveHost } from "../lang/resolve.js";
import { spanOf } from "../ir/model.js";
import { checkDynamics } from "./dynamics.js";
import { modelTerms, needsTeacher } from "./objectives/index.js";

export type { SpecResult } from "../ir/compile-spec.js";

/** Each term of the model checks its sections (VFM3xxx), in registry order; then what no term uses. */
export function checkObjectives(ctx: CheckContext, clean: boolean): void {
  const errors = (): number => ctx.bag.items.filter((d) => d.severity === "error").length;
  const before = errors();
  for (const t of modelTerms(ctx.model)) t.check?.(ctx);
  if (!needsTeacher(ctx.model) && ctx.values.spans.has("teacher"))
    ctx.bag.report("TeacherUnused", spanOf(ctx.model, "teacher"));
  // the first-step estimates of a model with errors would only add noise
  if (clean && errors() === before) checkDynamics(ctx);
}

export function checkSpec(file: string, host?: ResolveHost, options: CheckOptions = {}): SpecResult {
  return checkSpecWith(file, checkObjectives, host, options);
}
