// `--set key=value`: the argument is a virtual source; its entry merges over the model like a line of the spec.
import { describe, expect, test } from "vitest";
import type { Block, Entry } from "../../src/lang/ast.js";
import { parseSetOverride } from "../../src/lang/set-override.js";
import { checkSpec } from "../../src/lower/check-spec.js";

const TINY = "examples/franca-tiny.vfm";

function leaf(b: Block | undefined, path: string[]): Entry {
  let entry = b!.entries[0]!;
  for (const key of path.slice(1)) {
    expect(entry.block!.entries).toHaveLength(1);
    entry = entry.block!.entries[0]!;
    expect(entry.key.name).toBe(key);
  }
  return entry;
}

describe("parseSetOverride", () => {
  test("a dotted key and a value become nested entries with spans in `<--set N>`", () => {
    const o = parseSetOverride("heads.dino.l2norm=true", 2);
    expect(o.diagnostics).toEqual([]);
    expect(o.file).toBe("<--set 2>");
    const e = leaf(o.block, ["heads", "dino", "l2norm"]);
    expect(e.value).toMatchObject({ kind: "bool", value: true });
    expect(e.value!.span).toMatchObject({ file: "<--set 2>", start: { line: 1, col: 19 } });
    expect(e.key.span.start.col).toBe(12);
  });

  test("a schedule keeps the columns of the whole argument; shell-style quotes around it are dropped", () => {
    for (const text of ["optim.lr=cosine 1e-3 -> 1e-6", 'optim.lr="cosine 1e-3 -> 1e-6"']) {
      const o = parseSetOverride(text, 1);
      expect(o.diagnostics).toEqual([]);
      const v = leaf(o.block, ["optim", "lr"]).value!;
      expect(v).toMatchObject({ kind: "schedule", from: { value: 1e-3 }, to: { value: 1e-6 } });
      expect(v.kind === "schedule" && v.to.span.start.col).toBe(text.indexOf("1e-6") + 1);
    }
  });

  test.each([
    ["heads.dino.l2norm", "VFM2201", 1],
    ["heads..l2norm=true", "VFM2202", 7],
    ["heads.2x=true", "VFM2202", 7],
    ["train.batch=", "VFM2203", 12],
    ["optim.lr=1 2", "VFM2204", 12],
    ["optim.lr=cosine 1e-3 ->", "VFM1", 24],
  ])("%s is %s at column %i", (text, code, col) => {
    const o = parseSetOverride(text, 1);
    expect(o.block).toBeUndefined();
    expect(o.diagnostics[0]!.code.startsWith(code), o.diagnostics[0]!.code).toBe(true);
    expect(o.diagnostics[0]!.span).toMatchObject({ file: "<--set 1>", start: { line: 1, col } });
  });
});

describe("checkSpec with --set", () => {
  test("the override wins over the spec and the defaults, later --set over earlier ones", () => {
    const overrides = [
      "heads.dino.l2norm=false",
      "optim.lr=cosine 3e-3 -> 1e-6",
      "optim.lr=cosine 2e-3 -> 1e-6",
    ];
    const r = checkSpec(TINY, undefined, { overrides: overrides.map((t, i) => parseSetOverride(t, i + 1)) });
    const ir = r.models[0]!;
    expect(ir.heads.dino.l2norm).toBe(false);
    expect(ir.heads.ibot!.l2norm).toBe(true);
    expect(ir.optim.baseLr).toBe(2e-3);
    expect(ir.spans.get("optim.lr")?.file).toBe("<--set 3>");
  });

  test("a misspelt key or a bad value is reported by the checker, pointing into the argument", () => {
    const overrides = ["heads.dino.l2nrm=true", "train.batch=-3", "masking=blok"];
    const r = checkSpec(TINY, undefined, { overrides: overrides.map((t, i) => parseSetOverride(t, i + 1)) });
    const got = r.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `${d.span?.file}:${d.span?.start.col} ${d.code} ${d.hint ?? ""}`);
    expect(got).toEqual([
      "<--set 1>:12 VFM2101 did you mean 'l2norm'?",
      "<--set 2>:13 VFM3001 train.batch: images per device per step",
      "<--set 3>:9 VFM2105 did you mean 'block'?",
    ]);
  });
});
