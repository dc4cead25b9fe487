import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Entry, Value } from "../../src/lang/ast.js";
import { parse } from "../../src/lang/parse.js";

const ok = (text: string) => {
  const r = parse(text, "t.vfm");
  expect(r.diagnostics).toEqual([]);
  return r.doc;
};
const valueOf = (text: string): Value | undefined =>
  ok(`model m { k ${text} }`).models[0]?.body.entries[0]?.value;

describe("parser: values", () => {
  it("numbers keep their text", () => {
    expect(valueOf("5e-4")).toMatchObject({ kind: "number", value: 5e-4, text: "5e-4" });
    expect(valueOf("-1")).toMatchObject({ kind: "number", value: -1, text: "-1" });
    expect(valueOf("1.0")).toMatchObject({ kind: "number", value: 1, text: "1.0" });
  });

  it("strings, names, booleans", () => {
    expect(valueOf('"a\\"b\\\\c"')).toMatchObject({ kind: "string", value: 'a"b\\c' });
    expect(valueOf("bicubic")).toMatchObject({ kind: "ident", name: "bicubic" });
    expect(valueOf("true")).toMatchObject({ kind: "bool", value: true });
    expect(valueOf("false")).toMatchObject({ kind: "bool", value: false });
  });

  it("ranges", () => {
    expect(valueOf("0.1 .. 0.5")).toMatchObject({ kind: "range", lo: { value: 0.1 }, hi: { value: 0.5 } });
    expect(valueOf("-1..1")).toMatchObject({ kind: "range", lo: { value: -1 }, hi: { value: 1 } });
  });

  it("lists, nested and with a trailing comma", () => {
    const v = valueOf("[[1, 2], cls, 0.1 .. 0.2,]");
    expect(v).toMatchObject({
      kind: "list",
      items: [
        { kind: "list", items: [{ value: 1 }, { value: 2 }] },
        { kind: "ident", name: "cls" },
        { kind: "range" },
      ],
    });
    expect(valueOf("[]")).toMatchObject({ kind: "list", items: [] });
  });

  it("schedules: plain, shaped, over, warmup", () => {
    expect(valueOf("0.04 -> 0.07 over 30 epochs")).toMatchObject({
      kind: "schedule",
      from: { value: 0.04 },
      to: { value: 0.07 },
      over: { amount: { value: 30 }, unit: { name: "epochs" } },
    });
    const cos = valueOf("cosine 0.994 -> 1.0");
    expect(cos).toMatchObject({
      kind: "schedule",
      shape: { name: "cosine" },
      from: { value: 0.994 },
      to: { text: "1.0" },
    });
    expect(cos).not.toHaveProperty("over");
    expect(valueOf("cosine 2e-4 -> 1e-6 warmup 80 epochs")).toMatchObject({
      shape: { name: "cosine" },
      warmup: { amount: { value: 80 }, unit: { name: "epochs" } },
    });
    expect(valueOf("linear 1 -> 2 over 100 steps warmup 10 steps")).toMatchObject({
      over: { amount: { value: 100 }, unit: { name: "steps" } },
      warmup: { amount: { value: 10 } },
    });
  });
});

describe("parser: structure", () => {
  it("entries: key, key value, key block, key value block; commas or new lines", () => {
    const doc = ok("model m {\n  flag, dim 768\n  heads { a 1 }\n  optim adamw { lr 1 }\n}");
    const e = doc.models[0]?.body.entries ?? [];
    expect(e.map((x: Entry) => [x.key.name, x.value?.kind, x.block?.entries.length])).toEqual([
      ["flag", undefined, undefined],
      ["dim", "number", undefined],
      ["heads", undefined, 1],
      ["optim", "ident", 1],
    ]);
  });

  it("imports, extends and comments", () => {
    const doc = ok('import "a.vfm" // x\nmodel b extends a { } // y\nimport "c.vfm"');
    expect(doc.imports.map((i) => i.path)).toEqual(["a.vfm", "c.vfm"]);
    expect(doc.models[0]?.extends?.name).toBe("a");
    expect(doc.comments.map((c) => c.text)).toEqual(["// x", "// y"]);
  });

  it("keeps duplicate keys in one block (the checker reports them)", () => {
    const doc = ok("model m { dim 1, dim 2 }");
    expect(doc.models[0]?.body.entries.map((e) => e.key.name)).toEqual(["dim", "dim"]);
  });

  it("spans are exact: 1-based line/col, exclusive end", () => {
    const text = 'import "a.vfm"\nmodel m {\n  scale 0.1 .. 0.5\n  lr cosine 1 -> 2 over 3 epochs\n}';
    const doc = ok(text);
    const slice = (s: { start: { offset: number }; end: { offset: number } }) =>
      text.slice(s.start.offset, s.end.offset);
    const imp = doc.imports[0]!;
    expect(slice(imp.pathSpan)).toBe('"a.vfm"');
    expect(imp.pathSpan.start).toEqual({ offset: 7, line: 1, col: 8 });
    const m = doc.models[0]!;
    expect(slice(m.name.span)).toBe("m");
    expect(m.name.span.start).toMatchObject({ line: 2, col: 7 });
    expect(slice(m.body.span)).toBe(text.slice(text.indexOf("{")));
    const [scale, lr] = m.body.entries;
    expect(slice(scale!.span)).toBe("scale 0.1 .. 0.5");
    expect(scale!.span.start).toMatchObject({ line: 3, col: 3 });
    expect(scale!.span.end).toMatchObject({ line: 3, col: 19 });
    expect(slice(scale!.value!.span)).toBe("0.1 .. 0.5");
    expect(slice(lr!.value!.span)).toBe("cosine 1 -> 2 over 3 epochs");
    const sched = lr!.value!;
    if (sched.kind !== "schedule") throw new Error("expected a schedule");
    expect(slice(sched.over!.span)).toBe("3 epochs");
    expect(slice(sched.shape!.span)).toBe("cosine");
    expect(doc.span.end.offset).toBe(text.length);
  });

  it("parses the sample specs without diagnostics", () => {
    for (const name of ["dinov2", "franca", "odd"]) {
      const text = readFileSync(new URL(`./samples/${name}.vfm`, import.meta.url), "utf8");
      expect(parse(text, `${name}.vfm`).diagnostics, name).toEqual([]);
    }
  });

  it("an empty file is an empty document", () => {
    expect(ok("")).toMatchObject({ imports: [], models: [], comments: [] });
    expect(ok("// only a comment\n").comments).toHaveLength(1);
  });
});

describe("parser: a value starts on its key's line", () => {
  it("a bare key at the end of a line does not take the next line's key as its value", () => {
    const doc = ok("model m {\n  l2norm\n  hidden 2048\n}");
    expect(doc.models[0]?.body.entries.map((e) => [e.key.name, e.value?.kind])).toEqual([
      ["l2norm", undefined],
      ["hidden", "number"],
    ]);
  });
  it("a block may still open on the next line", () => {
    const doc = ok("model m {\n  heads\n  { dino { layers 3 } }\n}");
    expect(doc.models[0]?.body.entries[0]?.block?.entries[0]?.key.name).toBe("dino");
  });
});
