// What a run warns about while it trains, once each: a loss that stays on its uniform value (Σ log K, predictions
// uniform: the model is not learning it) and a teacher that uses a handful of its prototypes (collapse onto a few).
// The reference values come from the manifest's metric entries (`watch`: docs/graph-contract.md), so nothing here
// knows a loss; the warnings are catalogue diagnostics with the likely fix as their hint.
import { makeDiagnostic, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { IoEntry } from "../../lower/manifest.js";

/** a loss this close to its uniform value … */
export const PLATEAU_EPS = 1e-3;
/** … for this many steps in a row is on the plateau */
export const PLATEAU_STEPS = 50;
/** a teacher using fewer than this share of a level's prototypes is collapsing */
export const MIN_PROTOTYPE_SHARE = 0.02;

export class DynamicsWatch {
  private readonly plateaus: { name: string; value: number; since?: number }[] = [];
  private readonly counts: { name: string; outOf: number }[] = [];
  private readonly warned = new Set<string>();

  constructor(outputs: readonly IoEntry[]) {
    for (const o of outputs) {
      if (o.role !== "metric" || !o.watch) continue;
      if (o.watch.plateau !== undefined) this.plateaus.push({ name: o.name, value: o.watch.plateau });
      if (o.watch.outOf !== undefined) this.counts.push({ name: o.name, outOf: o.watch.outOf });
    }
  }

  /** the warnings this step raises (each metric warns once per run) */
  observe(step: number, metrics: Readonly<Record<string, number>>): Diagnostic[] {
    const out: Diagnostic[] = [];
    const once = (name: string, d: () => Diagnostic): void => {
      if (this.warned.has(name)) return;
      this.warned.add(name);
      out.push(d());
    };
    for (const p of this.plateaus) {
      const v = metrics[p.name];
      if (v === undefined || Math.abs(v - p.value) > PLATEAU_EPS) {
        delete p.since;
        continue;
      }
      p.since ??= step;
      if (step - p.since + 1 >= PLATEAU_STEPS)
        once(p.name, () =>
          makeDiagnostic("LossOnPlateau", undefined, [p.name, PLATEAU_STEPS, p.value.toFixed(3), step]),
        );
    }
    for (const c of this.counts) {
      const v = metrics[c.name];
      if (v === undefined || v >= MIN_PROTOTYPE_SHARE * c.outOf) continue;
      once(c.name, () =>
        makeDiagnostic("FewPrototypesInUse", undefined, [
          c.name,
          v.toFixed(1),
          c.outOf,
          (100 * MIN_PROTOTYPE_SHARE).toFixed(0),
          step,
        ]),
      );
    }
    return out;
  }
}
