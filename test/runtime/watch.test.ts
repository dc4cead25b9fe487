// The live warnings of a training run (src/runtime/trainer/watch.ts): a loss that sits on its uniform value, a
// teacher that uses a handful of prototypes — each once, from the reference values the manifest records.
import { describe, expect, it } from "vitest";
import type { IoEntry } from "../../src/lower/manifest.js";
import {
  DynamicsWatch,
  MIN_PROTOTYPE_SHARE,
  PLATEAU_EPS,
  PLATEAU_STEPS,
} from "../../src/runtime/trainer/watch.js";

const metric = (name: string, watch?: IoEntry["watch"]): IoEntry => ({
  name,
  dtype: "float32",
  shape: [],
  role: "metric",
  ...(watch ? { watch } : {}),
});
const outputs = [
  metric("loss"),
  metric("loss_dino", { plateau: 14.556 }),
  metric("dino_prototypes.2", { outOf: 256 }),
];

function run(values: (step: number) => Record<string, number>, steps: number): [number, string][] {
  const w = new DynamicsWatch(outputs);
  const seen: [number, string][] = [];
  for (let s = 1; s <= steps; s++) for (const d of w.observe(s, values(s))) seen.push([s, d.code]);
  return seen;
}

describe("DynamicsWatch", () => {
  it(`warns once when a loss stays within ${PLATEAU_EPS} of its uniform value for ${PLATEAU_STEPS} steps`, () => {
    const onIt = run(() => ({ loss_dino: 14.556 + PLATEAU_EPS / 2, "dino_prototypes.2": 200 }), 200);
    expect(onIt).toEqual([[PLATEAU_STEPS, "VFM3710"]]);
  });

  it("does not warn when the loss leaves the plateau before that, or falls below it", () => {
    // on the plateau for 49 steps, off for one, on again for 49: never 50 in a row
    const broken = run((s) => ({ loss_dino: s === 50 ? 14.0 : 14.556 }), 99);
    expect(broken).toEqual([]);
    expect(run((s) => ({ loss_dino: 14.556 - 0.01 * s }), 200)).toEqual([]);
  });

  it(`warns once when the teacher uses fewer than ${100 * MIN_PROTOTYPE_SHARE} % of a level's prototypes`, () => {
    const collapsing = run((s) => ({ loss_dino: 10, "dino_prototypes.2": 256 / s }), 100);
    // 256/s falls below 0.02 · 256 = 5.12 at step 51
    expect(collapsing).toEqual([[51, "VFM3711"]]);
  });
});
