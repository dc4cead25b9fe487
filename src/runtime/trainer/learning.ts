// Whether a run learned, in the terms a person checks first: each loss from its first step to its last beside the
// value uniform predictions give (Σ log K, from the manifest's metric entries), and the trained k-NN beside the k-NN
// of the raw pixels of the same bank and queries. Used by `vfmc run`'s summary (text and --json).
import { LOSS } from "../../lower/contract.js";
import type { Manifest } from "../../lower/manifest.js";
import type { KnnPoint, TrainSummary } from "./job.js";
import { trainGraphOf } from "./plan.js";

/** loss metric → its uniform value, for the losses that have one */
export function plateausOf(manifest: Manifest): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of trainGraphOf(manifest).outputs)
    if (o.role === "metric" && o.watch?.plateau !== undefined) out[o.name] = o.watch.plateau;
  return out;
}

const isLoss = (name: string): boolean => name === LOSS || name.startsWith(`${LOSS}_`);

export function lossesOf(metrics: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([k]) => isLoss(k)));
}

/** `losses, step 1 → 200: loss_dino 14.556 → 9.213 (uniform 14.556), …` */
export function lossesLine(s: TrainSummary, plateaus: Readonly<Record<string, number>>): string {
  const parts = Object.entries(lossesOf(s.finalMetrics)).map(([k, last]) => {
    const first = s.firstMetrics[k];
    const uniform = plateaus[k];
    const from = first !== undefined && s.steps > 1 ? `${first.toFixed(3)} → ` : "";
    return `${k} ${from}${last.toFixed(3)}${uniform !== undefined ? ` (uniform ${uniform.toFixed(3)})` : ""}`;
  });
  const steps = s.steps > 1 ? `step ${s.startStep + 1} → ${s.endStep}` : `step ${s.endStep}`;
  return `losses, ${steps}: ${parts.join(", ")}`;
}

/** the trained model's k-NN top-1 (at the first k) over the raw pixels', when both were measured */
export function knnOverPixels(knn: readonly KnnPoint[]): number | undefined {
  const trained = [...knn].reverse().find((p) => typeof p.at === "number");
  const pixels = knn.find((p) => p.at === "raw-pixels");
  const a = trained?.report.results[0]?.top1;
  const b = pixels?.report.results[0]?.top1;
  return a !== undefined && b ? a / b : undefined;
}
