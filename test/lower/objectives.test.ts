// The loss-term registry (src/lower/objectives): complete and well-formed, every loss and head section of the
// language has a term that reads it, and the consumers of the objective (step and gradient graphs, manifest,
// checker, cost model, runtime) iterate over terms instead of naming them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keyAt, modelSchema } from "../../src/lang/schema/index.js";
import type { SectionSpec } from "../../src/lang/schema/types.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { termLoss } from "../../src/lower/contract.js";
import { LOSS_TERMS, loweringOrder, modelTerms } from "../../src/lower/objectives/index.js";
import { lowerTrainStep } from "../../src/lower/train-step.js";

const sectionOf = (path: string): SectionSpec => keyAt(path)!.section!;

/** Code without comments, so a comment citing DINOv2 is not a mention. */
function code(file: string): string {
  return readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
}

const files = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));

describe("loss-term registry", () => {
  it("is frozen, with unique names and the fields every consumer reads", () => {
    expect(Object.isFrozen(LOSS_TERMS)).toBe(true);
    const names = LOSS_TERMS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of LOSS_TERMS) {
      expect(t.name, t.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(t.doc.length, t.name).toBeGreaterThan(10);
      for (const path of t.reads) expect(keyAt(path), `${t.name} reads ${path}`).toBeDefined();
    }
  });

  it("has a reader for every section under losses and heads", () => {
    const read = new Set(LOSS_TERMS.flatMap((t) => t.reads));
    for (const parent of ["losses", "heads"])
      for (const k of sectionOf(parent).keys)
        expect(read, `${parent}.${k.key}`).toContain(`${parent}.${k.key}`);
  });

  it("builds terms on the CLS before terms on patch tokens, registry order within each", () => {
    const order = loweringOrder(LOSS_TERMS).map((t) => t.tokens);
    expect(order).toEqual([...order].sort((a, b) => (a === b ? 0 : a === "cls" ? -1 : 1)));
  });

  it("gives every term of a model a loss metric, in registry order", () => {
    const ir = checkSpec("examples/franca-tiny.vfm").models[0]!;
    const step = lowerTrainStep({ ir, backbone: ir.backbone });
    const metrics = [...step.roles].filter(([, r]) => r.role === "metric").map(([n]) => n);
    const terms = modelTerms(ir).map((t) => termLoss(t.name));
    expect(metrics.filter((n) => terms.includes(n))).toEqual(terms);
    expect(step.roles.get("loss")?.doc).toBe(`total loss = ${terms.join(" + ")}`);
  });

  it("is the only place that names a term: consumers of the objective iterate over the model's terms", () => {
    const consumers = [
      "src/lower/train-step.ts",
      "src/lower/grad.ts",
      "src/lower/train-steps.ts",
      "src/lower/manifest.ts",
      "src/lower/compile.ts",
      "src/lower/cost.ts",
      "src/lower/info.ts",
      "src/lower/weights.ts",
      "src/lower/weights-report.ts",
      "src/lower/hrft.ts",
      "src/lower/init.ts",
      "src/lower/check-spec.ts",
      "src/lower/contract.ts",
      "src/lower/objectives/objective.ts",
      "src/lower/objectives/term.ts",
      "src/ir/cost.ts",
      ...files("src/ir/check"),
      ...files("src/runtime/trainer"),
      "src/lsp/features/model-costs.ts",
    ];
    const names = LOSS_TERMS.map((t) => t.name).join("|");
    const mention = new RegExp(`\\b(?:${names})(?![a-z0-9])`, "i");
    const found = consumers.flatMap((f) =>
      code(f)
        .split("\n")
        .filter((line) => mention.test(line))
        .map((line) => `${f}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });
});

describe("the objective of the DINO family", () => {
  it("DINO v1 keeps the iBOT and KoLeo terms in the model, inactive (their metrics are 0)", () => {
    const ir = checkSpec("specs/dino.vfm").models[0]!;
    const terms = modelTerms(ir);
    expect(terms.map((t) => t.name)).toEqual(["dino", "ibot", "koleo"]);
    expect(terms.filter((t) => t.active(ir)).map((t) => t.name)).toEqual(["dino"]);
  });
});
