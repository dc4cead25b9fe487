// Property: whatever the text, parse returns a document and positioned diagnostics, never throws.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/lang/parse.js";

const samples = ["dinov2", "franca", "odd"].map((n) =>
  readFileSync(new URL(`./samples/${n}.vfm`, import.meta.url), "utf8"),
);

/** Pieces of a sample: tokens and the gaps between them, so mutations act on whole tokens. */
const pieces = (text: string): string[] => text.match(/\s+|\/\/[^\n]*|"[^"\n]*"?|[A-Za-z_0-9.+-]+|./g) ?? [];

type Mutation = (p: string[]) => string[];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ at: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }).map(({ at, len }) => (p: string[]) => {
    const i = at % Math.max(1, p.length);
    return [...p.slice(0, i), ...p.slice(i + len)];
  }),
  fc.record({ at: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }).map(({ at, len }) => (p: string[]) => {
    const i = at % Math.max(1, p.length);
    return [...p.slice(0, i + len), ...p.slice(i, i + len), ...p.slice(i + len)];
  }),
  fc.record({ a: fc.nat(), b: fc.nat() }).map(({ a, b }) => (p: string[]) => {
    const q = [...p];
    const i = a % Math.max(1, q.length);
    const j = b % Math.max(1, q.length);
    [q[i], q[j]] = [q[j] ?? "", q[i] ?? ""];
    return q;
  }),
  fc.nat().map((at) => (p: string[]) => p.slice(0, at % Math.max(1, p.length))),
  fc
    .record({ at: fc.nat(), junk: fc.string({ unit: "binary", maxLength: 6 }) })
    .map(({ at, junk }) => (p: string[]) => {
      const i = at % Math.max(1, p.length);
      return [...p.slice(0, i), junk, ...p.slice(i)];
    }),
  fc
    .record({
      at: fc.nat(),
      junk: fc.constantFrom(
        "{",
        "}",
        "[",
        "]",
        ",",
        "..",
        "->",
        '"',
        "model",
        "import",
        "over",
        "-",
        "1e",
        "//",
      ),
    })
    .map(({ at, junk }) => (p: string[]) => {
      const i = at % Math.max(1, p.length);
      return [...p.slice(0, i), junk, ...p.slice(i)];
    }),
);

function checkParse(text: string): void {
  const { doc, diagnostics } = parse(text, "fuzz.vfm");
  expect(doc.kind).toBe("document");
  for (const d of diagnostics) {
    expect(d.code).not.toBe("VFM5999");
    expect(d.span, d.message).toBeDefined();
    expect(d.span!.start.line).toBeGreaterThanOrEqual(1);
    expect(d.span!.start.col).toBeGreaterThanOrEqual(1);
    expect(d.span!.end.offset).toBeGreaterThanOrEqual(d.span!.start.offset);
    expect(d.span!.end.offset).toBeLessThanOrEqual(text.length);
  }
}

describe("parse never throws", () => {
  it("on mutated sample specs", () => {
    fc.assert(
      fc.property(
        fc.nat(samples.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (which, ms) => {
          const text = ms.reduce((p, m) => m(p), pieces(samples[which]!)).join("");
          checkParse(text);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), checkParse), { numRuns: 300 });
  });
});
