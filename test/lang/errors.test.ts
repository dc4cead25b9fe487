import { describe, expect, it } from "vitest";
import { renderText } from "../../src/diagnostics/render.js";
import { parse } from "../../src/lang/parse.js";

const diags = (text: string) => parse(text, "e.vfm").diagnostics;
const brief = (text: string) =>
  diags(text).map((d) => `${d.span?.start.line}:${d.span?.start.col} ${d.code} ${d.message}`);

describe("syntax errors", () => {
  it("reports three errors in one file, each at its line:col", () => {
    const text = ["model a {", "  dim 768 ..", "  lr cosine 1 ->", "  heads { x 1 = 2 }", "}"].join("\n");
    expect(brief(text)).toEqual([
      "3:3 VFM1003 expected a number after '..' but found 'lr'",
      "4:3 VFM1003 expected a number after '->' but found 'heads'",
      "4:15 VFM1013 unexpected '=': a key and its value are separated by a space",
    ]);
  });

  it("a block left open at the end of the file points at its '{'", () => {
    const [d, ...rest] = diags("model a {\n  x 1\n  y { z 2\n");
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: "VFM1004", span: { start: { line: 3, col: 5 } } });
    expect(d?.related?.[0]?.message).toBe("the file ends here");
  });

  it("a block left open before the next model says where it was opened, and the next model still parses", () => {
    const r = parse("model a {\n  y { z 2 }\nmodel b { q 1 }\n", "e.vfm");
    expect(r.diagnostics.map((d) => `${d.span?.start.line}:${d.span?.start.col} ${d.message}`)).toEqual([
      "3:1 expected '}' to close the block opened at 1:9 but found 'model'",
    ]);
    expect(r.doc.models.map((m) => m.name.name)).toEqual(["a", "b"]);
  });

  it("stray tokens in blocks and lists name the bracket they are in", () => {
    expect(brief("model a {\n  x 1 2\n  l [1 2]\n}")).toEqual([
      "2:7 VFM1008 unexpected '2' in the block opened at 1:9",
      "3:8 VFM1009 expected ',' or ']' in the list opened at 3:5 but found '2'",
    ]);
    expect(brief("model a { l [1, 2")[0]).toBe("1:13 VFM1006 '[' opened here is never closed");
  });

  it("explains what was expected in context", () => {
    expect(brief("model { }")).toEqual(["1:7 VFM1003 expected a model name after 'model' but found '{'"]);
    expect(brief("model b extends { }")).toEqual([
      "1:17 VFM1003 expected the name of the model to extend but found '{'",
    ]);
    expect(brief("import dinov2")).toEqual([
      "1:8 VFM1003 expected a file name in quotes after 'import' but found 'dinov2'",
    ]);
    expect(brief("model b { lr 1 -> 2 over 30 }")).toEqual([
      "1:29 VFM1003 expected a unit (epochs or steps) but found '}'",
    ]);
    expect(brief("foo { }\nmodel a { }")).toEqual([
      "1:1 VFM1010 expected 'model' or 'import' but found 'foo'",
    ]);
  });

  it("a '}' that closes nothing, and characters that do not belong", () => {
    expect(brief("model a { x 1 } }\nmodel b { }")).toEqual(["1:17 VFM1012 '}' closes no block"]);
    expect(brief("model a { dim: 768, s # x\n }")).toEqual([
      "1:14 VFM1013 unexpected ':': a key and its value are separated by a space",
      "1:23 VFM1001 unexpected character '#'",
    ]);
  });

  it("absurd nesting is one diagnostic, not a stack overflow", () => {
    expect(brief(`model a { x ${"[".repeat(5000)} }`)).toEqual([
      "1:212 VFM1014 blocks and lists nest more than 200 levels deep here",
    ]);
    expect(diags(`model a { x ${"[".repeat(150)}${"]".repeat(150)} }`)).toEqual([]);
  });

  it("lexical errors: unterminated string, malformed number", () => {
    expect(brief('model a { s "abc\n  n 768px }')).toEqual([
      "1:13 VFM1002 unterminated string",
      "2:5 VFM1011 malformed number '768px'",
    ]);
  });

  it("renders with the source line and carets", () => {
    const text = "model a {\n  x 1 ..\n}";
    const [d] = diags(text);
    expect(renderText(d!, () => text)).toBe(
      ["e.vfm:3:1: error VFM1003: expected a number after '..' but found '}'", "  }", "  ^"].join("\n"),
    );
  });

  it("keeps what parsed around the errors", () => {
    const r = parse("model a {\n  x 1 ..\n  y 2\n}\nmodel b { z 3 }", "e.vfm");
    expect(r.doc.models.map((m) => [m.name.name, m.body.entries.map((e) => e.key.name)])).toEqual([
      ["a", ["x", "y"]],
      ["b", ["z"]],
    ]);
  });
});
