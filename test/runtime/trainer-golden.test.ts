// Spec-based regression: for each spec in examples/, a short fixed-seed CPU run (test/harness/golden-curve.ts: 20
// steps, batch 4, one thread, synthetic data) must reproduce every loss and per-module gradient norm in
// examples/baselines/<spec>.loss.txt, each within its own tolerance — tight where rounding cannot move the value,
// as wide as rounding alone moves it elsewhere (measured across onnxruntime's optimisation levels when the baseline
// is accepted). VFMC_ACCEPT=1 (npm run baselines:accept) trains each spec under the three levels and rewrites it.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { accepting } from "../harness/baseline.js";
import {
  differences,
  formatBaseline,
  goldenRun,
  parseBaseline,
  SPREAD_LEVELS,
  tolerances,
} from "../harness/golden-curve.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-golden-");

/**
 * The README's main job must show learning, not only reproduce its curve: on this short run the DINO loss at the
 * last step lies below its first-step value by more than float noise (the recipe that sat on its Σ log K plateau
 * gave 14.556 at every step; docs/small-scale.md).
 */
const LEARNS = new Set(["franca-tiny"]);
const LEARNING_MARGIN = 0.05;

const specs = readdirSync("examples")
  .filter((f) => f.endsWith(".vfm"))
  .sort();

describe("golden loss and gradient-norm curves of the example specs", () => {
  it("covers every example", () => expect(specs.length).toBeGreaterThanOrEqual(2));

  for (const file of specs) {
    const name = basename(file, ".vfm");
    const spec = `examples/${file}`;
    it(
      `${file}: the first 20 steps match examples/baselines/${name}.loss.txt`,
      { timeout: 900_000 },
      async () => {
        const curve = await goldenRun(spec, join(root, name));
        expect(curve.rows).toHaveLength(20);
        expect(curve.columns).toEqual(expect.arrayContaining(["loss", "grad_norm"]));
        if (LEARNS.has(name)) {
          const dino = curve.columns.indexOf("loss_dino");
          const [first, last] = [curve.rows[0]![dino]!, curve.rows[curve.rows.length - 1]![dino]!];
          expect(last, `loss_dino at step 20 vs step 1 (${first})`).toBeLessThan(first - LEARNING_MARGIN);
        }
        const path = join("examples", "baselines", `${name}.loss.txt`);
        if (accepting || !existsSync(path)) {
          const others = [];
          for (const level of SPREAD_LEVELS)
            others.push(await goldenRun(spec, join(root, `${name}-${level}`), level));
          writeFileSync(path, formatBaseline(spec, { ...curve, tolerances: tolerances(curve, others) }));
          if (!accepting) throw new Error(`wrote the missing baseline ${path}; check it in`);
          return;
        }
        const off = differences(parseBaseline(readFileSync(path, "utf8")), curve);
        expect(off, `differences from ${path} (VFMC_ACCEPT=1 rewrites it)`).toEqual([]);
      },
    );
  }
});
