import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Block, Value } from "../../src/lang/ast.js";
import { loadProgram, type ResolveHost } from "../../src/lang/resolve.js";

const memoryHost = (files: Record<string, string>): ResolveHost => ({ readFile: (f) => files[f] });
const brief = (
  ds: readonly {
    code: string;
    message: string;
    span?: { file: string; start: { line: number; col: number } };
  }[],
) =>
  ds.map(
    (d) =>
      `${d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.col}` : "-"} ${d.code} ${d.message}`,
  );

/** A block as nested plain data: `{ key: value-text | { …block } }`, for comparing merges. */
function show(b: Block): Record<string, unknown> {
  const text = (v: Value | undefined): string | undefined =>
    v === undefined ? undefined : v.kind === "number" ? v.text : v.kind === "ident" ? v.name : v.kind;
  return Object.fromEntries(
    b.entries.map((e) => [
      e.key.name,
      e.block ? { ...(e.value ? { $value: text(e.value) } : {}), ...show(e.block) } : text(e.value),
    ]),
  );
}

describe("loadProgram", () => {
  it("resolves imports relative to the importing file and merges extends", () => {
    const host = memoryHost({
      "specs/franca.vfm":
        'import "base/dinov2.vfm"\nmodel franca extends dinov2 { backbone { ffn swiglu }\n masking cyclic { ratio 0.1 .. 0.65 }\n post rasa { rounds 9 } }',
      "specs/base/dinov2.vfm":
        "model dinov2 {\n  backbone vit { dim 1024, ffn mlp }\n  masking block { ratio 0.1 .. 0.5, images 0.5 }\n  train { epochs 500 }\n}",
    });
    const p = loadProgram("specs/franca.vfm", host);
    expect(p.diagnostics).toEqual([]);
    expect([...p.files.keys()]).toEqual(["specs/franca.vfm", "specs/base/dinov2.vfm"]);
    const franca = p.models.find((m) => m.name === "franca")!;
    expect(franca.chain).toEqual(["franca", "dinov2"]);
    expect(franca.file).toBe("specs/franca.vfm");
    expect(show(franca.body)).toEqual({
      backbone: { $value: "vit", dim: "1024", ffn: "swiglu" },
      masking: { $value: "cyclic", ratio: "range", images: "0.5" },
      train: { epochs: "500" },
      post: { $value: "rasa", rounds: "9" },
    });
    // spans stay where each entry was written
    const backbone = franca.body.entries[0]!;
    expect(backbone.block!.entries.map((e) => e.span.file)).toEqual([
      "specs/base/dinov2.vfm",
      "specs/franca.vfm",
    ]);
    expect(franca.body.entries.find((e) => e.key.name === "train")!.span.file).toBe("specs/base/dinov2.vfm");
    expect(p.models.find((m) => m.name === "dinov2")!.chain).toEqual(["dinov2"]);
  });

  it("merges a chain of three, nearest override wins", () => {
    const host = memoryHost({
      "a.vfm":
        "model a { x 1, y 1, s { p 1 } }\nmodel b extends a { y 2, s { q 2 } }\nmodel c extends b { x 3, s { p 3 } }",
    });
    const p = loadProgram("a.vfm", host);
    expect(p.diagnostics).toEqual([]);
    const c = p.models.find((m) => m.name === "c")!;
    expect(c.chain).toEqual(["c", "b", "a"]);
    expect(show(c.body)).toEqual({ x: "3", y: "2", s: { p: "3", q: "2" } });
  });

  it("reports an import that cannot be found at the path string", () => {
    const p = loadProgram("x/main.vfm", memoryHost({ "x/main.vfm": 'import "nope.vfm"\nmodel m { }' }));
    expect(brief(p.diagnostics)).toEqual(["x/main.vfm:1:8 VFM2001 cannot find imported file 'nope.vfm'"]);
    expect(p.diagnostics[0]?.hint).toContain("x/nope.vfm");
    expect(p.models.map((m) => m.name)).toEqual(["m"]);
  });

  it("reports an import cycle at the import that closes it", () => {
    const p = loadProgram(
      "a.vfm",
      memoryHost({
        "a.vfm": 'import "b.vfm"\nmodel a { }',
        "b.vfm": 'import "./a.vfm"\nmodel b { }',
        "c.vfm": "",
      }),
    );
    expect(brief(p.diagnostics)).toEqual(["b.vfm:1:8 VFM2002 import cycle: a.vfm → b.vfm → a.vfm"]);
    expect(p.models.map((m) => m.name).sort()).toEqual(["a", "b"]);
  });

  it("a file importing itself is a cycle", () => {
    const p = loadProgram("a.vfm", memoryHost({ "a.vfm": 'import "a.vfm"' }));
    expect(brief(p.diagnostics)).toEqual(["a.vfm:1:8 VFM2002 import cycle: a.vfm → a.vfm"]);
  });

  it("unknown parent: nearest name as hint; defined but not imported: says which file", () => {
    const p = loadProgram(
      "a.vfm",
      memoryHost({
        "a.vfm": 'import "b.vfm"\nmodel dinov2_vitl14 { }\nmodel f extends dinov2_vitl41 { }',
        "b.vfm": "model g extends h { }",
        "c.vfm": "model h { }",
      }),
    );
    expect(brief(p.diagnostics)).toEqual([
      "a.vfm:3:17 VFM2003 model 'f' extends unknown model 'dinov2_vitl41'",
      "b.vfm:1:17 VFM2003 model 'g' extends unknown model 'h'",
    ]);
    expect(p.diagnostics[0]?.hint).toBe("did you mean 'dinov2_vitl14'?");
    expect(p.models.map((m) => m.name)).toEqual(["dinov2_vitl14"]);
  });

  it("a parent in a file that is not imported by the child's file", () => {
    const p = loadProgram(
      "main.vfm",
      memoryHost({
        "main.vfm": 'import "a.vfm"\nimport "b.vfm"',
        "a.vfm": "model child extends base { }",
        "b.vfm": "model base { }",
      }),
    );
    expect(brief(p.diagnostics)).toEqual(["a.vfm:1:21 VFM2003 model 'child' extends unknown model 'base'"]);
    expect(p.diagnostics[0]?.hint).toBe(`'base' is defined in b.vfm; add import "b.vfm"`);
  });

  it("the import hint is relative to the child's file", () => {
    const p = loadProgram(
      "s/main.vfm",
      memoryHost({
        "s/main.vfm": 'import "a/child.vfm"\nimport "b/base.vfm"',
        "s/a/child.vfm": "model child extends base { }",
        "s/b/base.vfm": "model base { }",
      }),
    );
    expect(p.diagnostics[0]?.hint).toBe(`'base' is defined in s/b/base.vfm; add import "../b/base.vfm"`);
  });

  it("reports an extends cycle once and drops the models in it", () => {
    const p = loadProgram(
      "a.vfm",
      memoryHost({
        "a.vfm":
          "model a extends b { }\nmodel b extends a { }\nmodel c extends a { }\nmodel s extends s { }\nmodel ok { }",
      }),
    );
    expect(brief(p.diagnostics)).toEqual([
      "a.vfm:2:17 VFM2004 model 'b' extends itself: b → a → b",
      "a.vfm:4:17 VFM2004 model 's' extends itself: s → s",
    ]);
    expect(p.models.map((m) => m.name)).toEqual(["ok"]);
  });

  it("reports a duplicate model name with the first definition as related", () => {
    const p = loadProgram(
      "a.vfm",
      memoryHost({ "a.vfm": 'import "b.vfm"\nmodel m { x 1 }', "b.vfm": "model m { x 2 }" }),
    );
    expect(brief(p.diagnostics)).toEqual(["b.vfm:1:7 VFM2005 model 'm' is defined more than once"]);
    expect(p.diagnostics[0]?.related?.[0]).toMatchObject({
      span: { file: "a.vfm", start: { line: 2, col: 7 } },
    });
  });

  it("a missing entry file is one diagnostic, and parse errors of every file are kept", () => {
    expect(brief(loadProgram("none.vfm", memoryHost({})).diagnostics)).toEqual([
      "- VFM5001 cannot read none.vfm: no such file, or it cannot be read",
    ]);
    const p = loadProgram(
      "a.vfm",
      memoryHost({ "a.vfm": 'import "b.vfm"\nmodel a { x 1 .. }', "b.vfm": "model b { y [ }" }),
    );
    expect(p.diagnostics.map((d) => `${d.span?.file} ${d.code}`).sort()).toEqual([
      "a.vfm VFM1003",
      "b.vfm VFM1009",
    ]);
  });

  it("loads the sample specs from disk", () => {
    const entry = new URL("./samples/franca.vfm", import.meta.url).pathname;
    const p = loadProgram(entry);
    expect(p.diagnostics).toEqual([]);
    expect(p.models.map((m) => m.name)).toEqual(["franca_vitl14", "dinov2_vitl14"]);
    const franca = p.models[0]!;
    const masking = franca.body.entries.find((e) => e.key.name === "masking")!;
    expect(masking.value).toMatchObject({ kind: "ident", name: "cyclic" });
    expect(readFileSync(entry, "utf8")).toContain("extends dinov2_vitl14");
  });
});
