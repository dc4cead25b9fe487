import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { formatVfm } from "../../src/lang/format/format.js";
import { parse } from "../../src/lang/parse.js";
import { withoutSpans } from "./ast-shape.js";

const samplesDir = new URL("./samples/", import.meta.url);
const specsDir = new URL("../../specs/", import.meta.url);
const examplesDir = new URL("../../examples/", import.meta.url);
const vfmFiles = (dir: URL) => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".vfm"))
      .map((f) => ({ name: f, text: readFileSync(new URL(f, dir), "utf8") }));
  } catch {
    return [];
  }
};
const samples = vfmFiles(samplesDir);

/** What a spec means: imports and models without positions; comments by text, in order. */
const meaning = (text: string) => {
  const { doc } = parse(text, "m.vfm");
  return {
    imports: withoutSpans(doc.imports),
    models: withoutSpans(doc.models),
    comments: doc.comments.map((c) => c.text),
  };
};

async function expectRoundTrip(text: string, name = "t.vfm"): Promise<string> {
  const once = await formatVfm(text, name);
  expect(parse(once, name).diagnostics, name).toEqual([]);
  expect(meaning(once), name).toEqual(meaning(text));
  expect(await formatVfm(once, name), name).toBe(once);
  return once;
}

/** Formats TEXT and expects exactly LINES, each ended by a newline. */
async function expectFormatted(text: string, lines: readonly string[]): Promise<void> {
  expect(await formatVfm(text, "t.vfm")).toBe(lines.map((l) => l + "\n").join(""));
}

describe("formatVfm: canonical layout", () => {
  it("puts short leaf blocks on one line and breaks blocks that hold blocks", async () => {
    const text =
      "model m {\n  heads { dino { layers 3, hidden 2048 } ibot { layers 3 } }\n  train {\n batch 32\n epochs 100 }\n}\n";
    await expectFormatted(text, [
      "model m {",
      "  heads {",
      "    dino { layers 3, hidden 2048 }",
      "    ibot { layers 3 }",
      "  }",
      "  train { batch 32, epochs 100 }",
      "}",
    ]);
  });

  it("breaks a leaf block that does not fit, one entry per line without commas", async () => {
    const text =
      "model m { dino { weight 1.0, targets sinkhorn, sinkhorn_iterations 3, student_temp 0.1, teacher_temp 0.04 -> 0.07 over 30 epochs } }";
    await expectFormatted(text, [
      "model m {",
      "  dino {",
      "    weight 1.0",
      "    targets sinkhorn",
      "    sinkhorn_iterations 3",
      "    student_temp 0.1",
      "    teacher_temp 0.04 -> 0.07 over 30 epochs",
      "  }",
      "}",
    ]);
  });

  it("prints values canonically: numbers as written, spaced ranges and arrows, quoted strings", async () => {
    const text =
      'model m{a 5E-4,b 0.1..0.5,c cosine 1->0 over 3 epochs warmup 1 epochs,d "x\\"y",e [ 1,2 , ],f true}';
    await expectFormatted(text, [
      "model m {",
      "  a 5E-4",
      "  b 0.1 .. 0.5",
      "  c cosine 1 -> 0 over 3 epochs warmup 1 epochs",
      '  d "x\\"y"',
      "  e [1, 2]",
      "  f true",
      "}",
    ]);
    expect(await formatVfm("model m{a 5E-4,b 0.1..0.5}", "t.vfm")).toBe("model m { a 5E-4, b 0.1 .. 0.5 }\n");
  });

  it("imports together, a blank line before each model, single blank lines between entries kept", async () => {
    const text =
      'import "a.vfm"\n\n\nimport "b.vfm"\nmodel x { a 1 }\nmodel y {\n  s { a 1 }\n\n\n  t { b 2 }\n}';
    await expectFormatted(text, [
      'import "a.vfm"',
      'import "b.vfm"',
      "",
      "model x { a 1 }",
      "",
      "model y {",
      "  s { a 1 }",
      "",
      "  t { b 2 }",
      "}",
    ]);
  });

  it("keeps own-line and end-of-line comments where they were", async () => {
    const text = [
      "// header",
      "model m { // after the brace",
      "  // before a",
      "  a { x 1 } // after a",
      "  b { y [1, 2], z 3 }",
      "  // at the end",
      "}",
      "// footer",
      "",
    ].join("\n");
    const out = await expectRoundTrip(text);
    expect(out).toBe(
      [
        "// header",
        "model m {",
        "  // after the brace",
        "  // before a",
        "  a { x 1 } // after a",
        "  b { y [1, 2], z 3 }",
        "  // at the end",
        "}",
        "// footer",
        "",
      ].join("\n"),
    );
  });

  it("a comment inside a leaf block breaks it; comments in empty blocks and lists stay inside", async () => {
    expect(await expectRoundTrip("model m { s { a 1, // one\n b 2 } }")).toBe(
      ["model m {", "  s {", "    a 1 // one", "    b 2", "  }", "}", ""].join("\n"),
    );
    expect(await expectRoundTrip("model m { e { // nothing yet\n } }")).toBe(
      ["model m {", "  e {", "    // nothing yet", "  }", "}", ""].join("\n"),
    );
    expect(await expectRoundTrip("model m { p [0.1, // first\n 0.2] }")).toBe(
      ["model m {", "  // first", "  p [0.1, 0.2]", "}", ""].join("\n"),
    );
    expect(await expectRoundTrip('import // why\n "a.vfm" // b\nmodel // m\n x {}')).toBe(
      ["// why", 'import "a.vfm" // b', "", "// m", "model x {}", ""].join("\n"),
    );
  });

  it("refuses text with syntax errors, carrying every diagnostic", async () => {
    const err = await formatVfm("model m { a 1 ..\n b [ }", "bad.vfm").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosticError);
    expect((err as DiagnosticError).diagnostics.map((d) => d.code)).toEqual(["VFM1003", "VFM1009"]);
  });
});

describe("formatVfm: idempotent and meaning-preserving", () => {
  it.each(
    [
      ...samples,
      ...vfmFiles(specsDir).map((f) => ({ ...f, name: `specs/${f.name}` })),
      ...vfmFiles(examplesDir).map((f) => ({ ...f, name: `examples/${f.name}` })),
    ].map((f) => [f.name, f.text]),
  )("%s", async (name, text) => {
    await expectRoundTrip(text, name);
  });

  it("on valid variations of the samples", async () => {
    let valid = 0;
    const pieces = samples.map((s) => s.text.match(/\s+|\/\/[^\n]*|"[^"\n]*"|[^\s{}\[\],]+|./g) ?? []);
    const variants = fc.tuple(
      fc.nat(pieces.length - 1),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.nat(),
          fc.constantFrom("drop", "dup", "nl", "comment", "swap", "blank", "comma"),
        ),
        {
          maxLength: 8,
        },
      ),
    );
    await fc.assert(
      fc.asyncProperty(variants, async ([which, edits]) => {
        const p = [...(pieces[which] ?? [])];
        for (const [a, b, kind] of edits) {
          const i = a % p.length;
          if (kind === "drop") p.splice(i, 1 + (b % 3));
          else if (kind === "dup") p.splice(i, 0, ...p.slice(i, i + 1 + (b % 4)));
          else if (kind === "nl") p.splice(i, 0, "\n");
          else if (kind === "swap") {
            const j = b % p.length;
            [p[i], p[j]] = [p[j] ?? "", p[i] ?? ""];
          } else if (kind === "blank") p.splice(i, 0, "\n\n");
          else if (kind === "comma") p.splice(i, 0, ",");
          else p.splice(i, 0, ` // c${i}\n`);
        }
        const text = p.join("");
        fc.pre(parse(text, "v.vfm").diagnostics.length === 0);
        valid++;
        await expectRoundTrip(text, "v.vfm");
      }),
      { numRuns: 100 },
    );
    expect(valid).toBeGreaterThanOrEqual(100); // the property ran on real variety, not only on skipped cases
  });
});
