// docs/language.md is printed from the schema tables; this keeps it in sync (accept with npm run baselines:accept).
import { describe, expect, test } from "vitest";
import { modelSchema } from "../../src/lang/schema/index.js";
import { languageReference } from "../../src/lang/schema/markdown.js";
import type { KeySpec, SectionSpec } from "../../src/lang/schema/types.js";
import { expectBaseline } from "../harness/baseline.js";

test("docs/language.md is up to date with the schema tables", () => {
  expectBaseline("docs/language.md", languageReference());
});

function* keys(s: SectionSpec, prefix = ""): Generator<[string, KeySpec]> {
  for (const k of s.keys) {
    const path = prefix ? `${prefix}.${k.key}` : k.key;
    yield [path, k];
    if (k.section) yield* keys(k.section, path);
  }
}

describe("schema tables", () => {
  const all = [...keys(modelSchema)];

  test("every key has a doc line, and every value key a default or `required`", () => {
    for (const [path, k] of all) {
      expect(k.doc.length, path).toBeGreaterThan(5);
      if (k.kind !== "section") expect(k.default !== undefined || k.required === true, path).toBe(true);
    }
  });

  test("numeric defaults are inside their own bounds", () => {
    for (const [path, k] of all) {
      const nums =
        typeof k.default === "number"
          ? [k.default]
          : Array.isArray(k.default)
            ? k.default.filter((x) => typeof x === "number")
            : [];
      for (const x of nums) {
        if (k.min !== undefined) expect(k.minExclusive ? x > k.min : x >= k.min, path).toBe(true);
        if (k.max !== undefined) expect(x <= k.max, path).toBe(true);
      }
    }
  });

  test("variants only name keys of their section, and enum defaults are allowed values", () => {
    for (const [path, k] of all) {
      for (const v of k.section?.variants ?? [])
        for (const key of v.keys)
          expect(
            k.section!.keys.map((x) => x.key),
            `${path} ${v.name}`,
          ).toContain(key);
      if (k.kind === "enum" && typeof k.default === "string") expect(k.values, path).toContain(k.default);
    }
  });
});
