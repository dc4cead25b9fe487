// The bad-specs corpus: every test/cases/check/*.vfm is broken on purpose, and its diagnostics (code, line:col,
// message, hint, source line) are pinned in test/baselines/check/<name>.errors.txt. A coverage test lists the
// catalogue codes of the spec stages (1xxx–3xxx) that no case produces. A case's leading `// --set key=value` lines
// are passed as --set overrides (their diagnostics point into `<--set N>`).
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, test } from "vitest";
import { Diag } from "../../src/diagnostics/catalogue.js";
import { codeOf } from "../../src/diagnostics/diagnostic.js";
import { renderText } from "../../src/diagnostics/render.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { parseSetOverride } from "../../src/lang/set-override.js";
import { expectBaseline } from "../harness/baseline.js";

const dir = "test/cases/check";
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".vfm"))
  .sort();
const virtual = new Map<string, string>();
const source = (file: string) => {
  if (virtual.has(file)) return virtual.get(file);
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};
const produced = new Set<string>();

/** Codes no case can produce, each with the reason. */
const notCovered: Record<string, string> = {
  [codeOf("LossOnPlateau")]:
    "raised while a run trains (src/runtime/trainer/watch.ts): test/runtime/watch.test.ts",
  [codeOf("FewPrototypesInUse")]:
    "raised while a run trains (src/runtime/trainer/watch.ts): test/runtime/watch.test.ts",
  [codeOf("ExpectedValue")]:
    "the parser's recovery reports a missing value as VFM1003/1008/1009 in every input tried",
};

test("the corpus is large enough", () => {
  expect(cases.length).toBeGreaterThanOrEqual(45);
});

describe.each(cases)("%s", (name) => {
  test("reports its diagnostics exactly", () => {
    const file = join(dir, name);
    const sets = [...readFileSync(file, "utf8").matchAll(/^\/\/ --set (.*)$/gm)].map((m, i) => {
      const o = parseSetOverride(m[1]!, i + 1);
      virtual.set(o.file, o.text);
      return o;
    });
    const { diagnostics } = checkSpec(file, undefined, { overrides: sets });
    for (const d of diagnostics) produced.add(d.code);
    expect(diagnostics.length, "a broken spec must report something").toBeGreaterThan(0);
    expectBaseline(
      join("test/baselines/check", `${basename(name, ".vfm")}.errors.txt`),
      diagnostics.map((d) => renderText(d, source)).join("\n") + "\n",
    );
  });
});

test("every code of the spec stages is produced by some case, or listed with a reason", () => {
  const codes = Object.keys(Diag)
    .map((k) => codeOf(k as keyof typeof Diag))
    .filter((c) => /^VFM[123]/.test(c));
  const missing = codes.filter((c) => !produced.has(c) && !(c in notCovered));
  expect(missing).toEqual([]);
});
