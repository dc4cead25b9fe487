// Training-dynamics warnings from the loss terms' first-step estimates (src/ir/dynamics.ts, each term's `dynamics`):
// a self-distillation loss that starts on its Σ log K plateau (VFM3701), Sinkhorn targets over far fewer samples
// than prototypes (VFM3702), and a model whose only loss with a gradient at step 0 is a regulariser (VFM3705). Each
// is a statement about the spec that the first step confirms (test/lower/dynamics-measured.test.ts).
import { formatEstimate as fmt } from "../ir/check/dynamics.js";
import type { CheckContext } from "../ir/check/context.js";
import type { LossEstimate } from "../ir/dynamics.js";
import { spanOf, type ModelIR } from "../ir/model.js";
import { modelTerms } from "./objectives/index.js";

/** a loss this close to its uniform value (relative) at step 0 starts on the plateau */
export const PLATEAU_TOLERANCE = 1e-3;

export function onPlateau(l: LossEstimate): boolean {
  return Math.abs(l.loss0 - l.uniform) <= PLATEAU_TOLERANCE * l.uniform;
}

/** The first-step estimates of the model's active self-distillation terms, registry order. */
export function modelDynamics(ir: ModelIR): LossEstimate[] {
  return modelTerms(ir).flatMap((t) => {
    const d = t.active(ir) ? t.dynamics?.(ir) : undefined;
    return d && d.uniform > 0 ? [d] : [];
  });
}

export function checkDynamics(ctx: CheckContext): void {
  const { model, values, bag } = ctx;
  const estimates = modelDynamics(model);
  const plateau = estimates.filter(onPlateau);
  for (const l of plateau) {
    const wide = l.levels[l.levels.length - 1]!;
    const std = l.levels.map((v) => fmt(v.logitStd));
    bag.report(
      "LossStartsOnPlateau",
      spanOf(model, values.has(`${l.head}.l2norm`) ? `${l.head}.l2norm` : l.head),
      [
        l.term,
        fmt(l.uniform),
        l.levels.length > 1 ? `Σ log K over ${l.levels.length} levels` : "log K",
        l.head,
        std.length > 1 ? `${std[0]} … ${std[std.length - 1]}` : std[0]!,
        fmt(wide.studentScale),
        fmt(wide.teacherScale),
      ],
      { hintArgs: [l.head, fmt(1 / Math.sqrt(l.bottleneck))] },
    );
  }
  for (const l of estimates) {
    if (l.targets !== "sinkhorn") continue;
    const k = l.levels[l.levels.length - 1]!.prototypes;
    if (k <= l.samples * l.samples) continue;
    bag.report("SinkhornPrototypesExceedSamples", spanOf(model, `losses.${l.term}.targets`), [
      l.term,
      k,
      l.samples,
      l.samplesAre,
      Math.round(k / l.samples),
    ]);
  }
  // every self-distillation loss on its plateau: what still has a gradient are the other active terms
  if (estimates.length > 0 && plateau.length === estimates.length) {
    const others = modelTerms(model).filter((t) => t.active(model) && !t.dynamics?.(model));
    for (const t of others)
      bag.report("RegulariserOnlySignal", spanOf(model, `losses.${t.name}.weight`), [
        t.name,
        estimates.length > 1
          ? `the ${estimates.map((l) => l.term).join(" and ")} losses start on their plateaus`
          : `the ${estimates[0]!.term} loss starts on its plateau`,
      ]);
  }
}
