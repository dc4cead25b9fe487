// Retrieval mAP: the AP formula on hand rankings, perfect and uninformative features.
import { describe, expect, it } from "vitest";
import { averagePrecision, retrievalEvaluate } from "../../src/runtime/eval/retrieval.js";
import { Rng } from "../../src/runtime/rng.js";

describe("retrieval", () => {
  it("average precision follows its definition", () => {
    expect(averagePrecision([true, false, true])).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(averagePrecision([false, false, true, true])).toBeCloseTo((1 / 3 + 2 / 4) / 2, 12);
    expect(averagePrecision([false, false])).toBe(0);
  });

  it("ranks by cosine similarity: one-hot class directions give mAP 1, and a hand case gives its AP", () => {
    const d = 3;
    const oneHot = (labels: number[]) => ({
      features: Float32Array.from(labels.flatMap((l) => [0, 1, 2].map((j) => (j === l ? 1 + l : 0.01 * j)))),
      labels: Int32Array.from(labels),
    });
    const r = retrievalEvaluate(oneHot([0, 1, 2, 0, 1]), oneHot([0, 2]), d);
    expect(r.map).toBeCloseTo(1, 12);
    expect(r.precisionAt1).toBe(1);
    // gallery [a(0), b(1), c(0)] ranked for a query nearest b, then c, then a: relevant at ranks 2 and 3
    const gallery = {
      features: Float32Array.of(1, 0, 0, 0, 1, 0, 0.6, 0.8, 0),
      labels: Int32Array.of(0, 1, 0),
    };
    const query = { features: Float32Array.of(0, 1, 0), labels: Int32Array.of(0) };
    expect(retrievalEvaluate(gallery, query, d).map).toBeCloseTo((1 / 2 + 2 / 3) / 2, 6);
  });

  it("random features give about 1 / classes, and queries without a relevant image are left out", () => {
    const rng = Rng.derive(5, "retrieval");
    const n = 400;
    const d = 16;
    const features = Float32Array.from({ length: n * d }, () => rng.normal());
    const labels = Int32Array.from({ length: n }, () => rng.int(0, 3));
    // the last query has label 9, which no gallery image has
    const queries = {
      features: features.slice(0, 100 * d),
      labels: Int32Array.from([...labels.slice(0, 99), 9]),
    };
    const r = retrievalEvaluate({ features: features.slice(100 * d), labels: labels.slice(100) }, queries, d);
    expect(r.queries).toBe(99);
    expect(r.map).toBeGreaterThan(0.2);
    expect(r.map).toBeLessThan(0.33);
  });
});
