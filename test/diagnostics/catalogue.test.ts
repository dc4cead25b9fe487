import { describe, expect, it } from "vitest";
import { Diag, type DiagKey } from "../../src/diagnostics/catalogue.js";
import { DiagnosticBag, fill } from "../../src/diagnostics/diagnostic.js";
import { renderText } from "../../src/diagnostics/render.js";

const BANDS: Record<number, string> = {
  1: "parse",
  2: "resolve",
  3: "check",
  4: "compile",
  5: "cli",
  6: "runtime",
};

describe("diagnostic catalogue", () => {
  const entries = Object.entries(Diag) as [DiagKey, (typeof Diag)[DiagKey]][];

  it("never reuses a code", () => {
    const seen = new Map<number, string>();
    const dups: string[] = [];
    for (const [key, e] of entries) {
      const prev = seen.get(e.code);
      if (prev) dups.push(`${e.code}: ${prev} and ${key}`);
      seen.set(e.code, key);
    }
    expect(dups).toEqual([]);
  });

  it("keeps every code inside a known band", () => {
    const outside = entries.filter(([, e]) => !(Math.floor(e.code / 1000) in BANDS)).map(([k]) => k);
    expect(outside).toEqual([]);
  });

  it("fills hints that refer to arguments with those arguments", () => {
    for (const [key, e] of entries) {
      const uses = [...`${e.message} ${"hint" in e ? e.hint : ""}`.matchAll(/\{(\d+)\}/g)].map((m) =>
        Number(m[1]),
      );
      const args = Array.from({ length: Math.max(-1, ...uses) + 1 }, (_, i) => `a${i}`);
      const text = fill(`${e.message} ${"hint" in e ? e.hint : ""}`, args);
      expect(text, key).not.toMatch(/\{\d+\}/);
    }
  });
});

describe("rendering", () => {
  it("prints file:line:col: error VFMnnnn: message, the hint and carets", () => {
    const bag = new DiagnosticBag();
    const span = {
      file: "x.vfm",
      start: { offset: 6, line: 2, col: 3 },
      end: { offset: 9, line: 2, col: 6 },
    };
    bag.report("UnexpectedCharacter", span, ["'$'"]);
    const text = renderText(bag.items[0]!, () => "a\n  $$$ b\n");
    expect(text.split("\n")).toEqual([
      "x.vfm:2:3: error VFM1001: unexpected character '$'",
      '  hint: remove it; .vfm uses // for comments and "…" for strings',
      "    $$$ b",
      "    ^^^",
    ]);
    expect(bag.hasErrors).toBe(true);
  });
});
