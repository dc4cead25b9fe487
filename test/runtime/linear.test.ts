// Linear probe: separable classes are learned, label noise is not, and the lr is chosen on the validation split.
import { describe, expect, it } from "vitest";
import { linearProbe } from "../../src/runtime/eval/linear.js";
import { Rng } from "../../src/runtime/rng.js";

/** n points per class around class means at distance `sep`, in d dims. */
export function clusters(
  n: number,
  classes: number,
  d: number,
  sep: number,
  seed: number,
  shuffleLabels = false,
) {
  const rng = Rng.derive(seed, "clusters");
  const means = Array.from({ length: classes }, () =>
    Float64Array.from({ length: d }, () => sep * rng.normal()),
  );
  const features = new Float32Array(n * classes * d);
  const labels = new Int32Array(n * classes);
  for (let i = 0; i < n * classes; i++) {
    const c = i % classes;
    labels[i] = shuffleLabels ? rng.int(0, classes - 1) : c;
    for (let j = 0; j < d; j++) features[i * d + j] = means[c]![j]! + rng.normal() + 5; // an offset the standardiser removes
  }
  return { features, labels };
}

describe("linear probe", () => {
  it("learns separable classes and reports the grid it chose from", () => {
    // the class means come from the seed, so train and test share them only when generated alike: the test set
    // is a second draw of the same generator (every point of it is new noise around the same means)
    const both = clusters(120, 4, 8, 2, 1);
    const half = (120 * 4 * 8) / 2;
    const train = { features: both.features.slice(0, half), labels: both.labels.slice(0, 240) };
    const test = { features: both.features.slice(half), labels: both.labels.slice(240) };
    const r = linearProbe(train, test, 8, { lrs: [1e-4, 0.1], epochs: 20 });
    expect(r.candidates.map((c) => c.lr)).toEqual([1e-4, 0.1]);
    expect(r.best.valTop1).toBe(Math.max(...r.candidates.map((c) => c.valTop1)));
    expect(r.best.lr).toBe(0.1); // 1e-4 barely moves the N(0, 0.01²) init in 40 steps
    expect(r.testTop1).toBeGreaterThan(0.9);
    expect(r.testTop5).toBe(1);
    expect(r.train + r.val).toBe(240);
  });

  it("stays near chance when labels carry no signal", () => {
    const train = clusters(60, 4, 8, 2, 3, true);
    const test = clusters(60, 4, 8, 2, 4, true);
    const r = linearProbe(train, test, 8, { lrs: [0.1], epochs: 10 });
    expect(r.testTop1).toBeLessThan(0.45);
  });
});
