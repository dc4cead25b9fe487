// The golden curves' tolerances are wide where rounding is chaotic; this keeps the proof that they still catch a
// real semantic change: with one deliberately broken gradient — Sigmoid's VJP using (1.1 − y) for (1 − y), a slip
// in the SwiGLU backbone's derivative — franca-tiny's golden run leaves its baseline, and does so in the steps and
// columns where the tolerance is tight (before the chaos: the gradient norms of the first steps).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { differences, goldenRun, parseBaseline } from "../harness/golden-curve.js";
import { scratchDir } from "../harness/scratch-dir.js";

vi.mock("../../src/graph/ops/sigmoid.js", async () => {
  const { defineUnary, elementwise } = await import("../../src/graph/op.js");
  return {
    Sigmoid: defineUnary({
      name: "Sigmoid",
      fn: (v) => 1 / (1 + Math.exp(-v)),
      vjp: elementwise((g, _x, y, dy) => g.mul(dy, g.mul(y, g.sub(1.1, y)))), // deliberately wrong
    }),
  };
});

const root = scratchDir("vfmc-golden-broken-");

describe("golden curves catch a broken gradient", () => {
  it(
    "franca-tiny with a wrong Sigmoid derivative fails its golden curve early",
    { timeout: 300_000 },
    async () => {
      const baseline = parseBaseline(readFileSync("examples/baselines/franca-tiny.loss.txt", "utf8"));
      const curve = await goldenRun("examples/franca-tiny.vfm", join(root, "broken"));
      const off = differences(baseline, curve);
      expect(off.length, "a broken gradient must leave the baseline").toBeGreaterThan(0);
      // the first differing step is one of the first three: the check does not rely on the wide late tolerances
      const first = Number(/^step (\d+)/.exec(off[0]!)![1]);
      expect(first, off.slice(0, 5).join("\n")).toBeLessThanOrEqual(3);
    },
  );
});
