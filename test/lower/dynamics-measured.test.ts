// The first-step estimates of src/ir/dynamics.ts against what the compiled graphs compute.
//  • Examples: one real training step (vfmc run --steps 1 at a reduced batch) — the DINO and iBOT losses and the
//    monitors' entropies of that step against the estimate for the same batch.
//  • Every model in specs/: their ViT-L/g backbones are too big for CI, so the estimate's core — the std of one
//    sample's logits over the prototypes at init, per head level — is checked on the lowered heads with the real
//    seeded initialisation, run in onnxruntime on the CLS a LayerScale-1e-5 backbone gives every image
//    (LayerNorm(cls_token + pos_embed[0])); the first 2048 prototypes of each level (the init streams draw a tensor
//    row by row, so they are exactly the model's first rows).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Head, ModelIR } from "../../src/ir/model.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { modelDynamics } from "../../src/lower/dynamics.js";
import { projectionHead, projectionHeadSpecs } from "../../src/lower/heads/projection.js";
import { initTensor } from "../../src/lower/init.js";
import { builder, f32, numbers, run } from "./losses-harness.js";
import { vfmc } from "../harness/cli.js";
import { scratchDir } from "../harness/scratch-dir.js";

const KMAX = 2048;
const ROWS = 16;

/** the model's own init of one head, K cut to its first KMAX rows, run on ROWS unit-variance CLS vectors */
async function measuredLogitStd(ir: ModelIR, head: Head, module: string): Promise<number[]> {
  const cut: Head = {
    ...head,
    prototypes: Math.min(head.prototypes, KMAX),
    levels: head.levels.map((l) => ({ ...l, prototypes: Math.min(l.prototypes, KMAX) })),
  };
  const b = builder("head");
  const params = new Map(
    projectionHeadSpecs(cut, ir.backbone.dim, module).map((s) => [
      s.name,
      b.input(s.name, f32([...s.shape], initTensor(s, ir.train.seed))),
    ]),
  );
  // LayerNorm(cls_token + pos_embed[0]) is LayerNorm of a small random vector: zero mean, unit variance per channel
  const D = ir.backbone.dim;
  const rows = Array.from({ length: ROWS }, (_, r) => {
    const raw = numbers(D, 7 + r);
    const mean = raw.reduce((a, x) => a + x, 0) / D;
    const sd = Math.sqrt(raw.reduce((a, x) => a + (x - mean) ** 2, 0) / D);
    return raw.map((x) => (x - mean) / sd);
  });
  const cls = b.input("cls", f32([ROWS, D], rows.flat()));
  const logits = projectionHead(b.g, cut, params, module, cls);
  const out = await run(b, Object.fromEntries(logits.map((v, l) => [`l${l}`, v])));
  return logits.map((_, l) => {
    const all = out[`l${l}`]!.data as Float32Array;
    const k = all.length / ROWS;
    let sum = 0;
    for (let r = 0; r < ROWS; r++) {
      const x = all.subarray(r * k, (r + 1) * k);
      const m = x.reduce((a, v) => a + v, 0) / k;
      sum += Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / k);
    }
    return sum / ROWS;
  });
}

const specModels = ["specs/dino.vfm", "specs/ibot.vfm", "specs/dinov2.vfm", "specs/franca.vfm"].flatMap((f) =>
  checkSpec(f).models.map((m) => [`${f} ${m.name}`, m] as const),
);

describe("estimated logit scale at init = the lowered heads' (every spec model)", () => {
  it.each(specModels)(
    "%s",
    async (_, ir) => {
      for (const est of modelDynamics(ir)) {
        const head = est.head === "heads.ibot" ? ir.heads.ibot! : ir.heads.dino;
        const module = est.head === "heads.ibot" ? "ibot_head" : "dino_head";
        const measured = await measuredLogitStd(ir, head, module);
        // the estimate is an expectation over weight draws: with L2 normalisation one draw is within a few % of it;
        // without, ‖z‖ depends on the draw of four linears (±9 % one standard deviation, sampled in numpy)
        const tol = head.l2norm ? 0.05 : 0.3;
        est.levels.forEach((lv, l) => {
          const ratio = measured[l]! / lv.logitStd;
          expect(
            Math.abs(ratio - 1),
            `${est.term} level ${lv.width}: measured/estimated ${ratio}`,
          ).toBeLessThan(tol);
        });
      }
    },
    60_000,
  );
});

const root = scratchDir("vfmc-dynamics-");

describe("estimated first step = one training step of the examples", () => {
  it.each([
    ["examples/franca-tiny.vfm", "synthetic", 8],
    ["examples/fmnist-franca.vfm", "synthetic", 4],
  ] as const)(
    "%s at batch %i",
    async (spec, data, batch) => {
      const out = join(root, spec.replace(/\W/g, "_"));
      const r = await vfmc(
        "run",
        "--train",
        spec,
        "--steps",
        "1",
        "--batch",
        String(batch),
        "--no-knn",
        "--data",
        data,
        "--threads",
        "1",
        "--data-workers",
        "0",
        "--out",
        out,
        "--json",
      );
      expect(r.code, r.err).toBe(0);
      const step = JSON.parse(
        readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n")[0]!,
      ) as Record<string, number>;
      const ir = { ...checkSpec(spec).models[0]! };
      const est = modelDynamics({ ...ir, train: { ...ir.train, batch } });
      for (const l of est) {
        // Coinciding samples (LayerScale 1e-5) are modelled exactly. Distinct samples are drawn independently, but
        // a LayerScale-1 backbone's CLS tokens at init are correlated, so their targets are flatter than estimated
        // and the student's cross-entropy lower (franca-tiny at batch 8: measured 0.95 × the estimate).
        const tol = l.samplesCoincide ? 0.005 : 0.1;
        expect(Math.abs(step[`loss_${l.term}`]! / l.loss0 - 1), `loss_${l.term}`).toBeLessThan(tol);
        l.levels.forEach((lv, i) => {
          const suffix = l.levels.length > 1 ? `.${i}` : "";
          const targets = step[`${l.term}_target_entropy${suffix}`]! / lv.targetEntropy;
          // distinct samples: the independence model gives a lower bound (NOT YET an estimate: franca-tiny's
          // correlated CLS tokens measure 1.7× it; docs/small-scale.md)
          if (l.samplesCoincide) expect(targets).toBeCloseTo(1, 1);
          else expect(targets).toBeGreaterThan(0.95);
          expect(step[`${l.term}_student_entropy${suffix}`]! / lv.studentEntropy).toBeCloseTo(1, 1);
        });
      }
    },
    300_000,
  );
});
