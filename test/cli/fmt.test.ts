import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "vfmc-fmt-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const messy = "model m {a 1,b { c 2 }}";
const tidy = "model m {\n  a 1\n  b { c 2 }\n}\n";

describe("vfmc fmt", () => {
  it("prints the formatted text by default and changes nothing", async () => {
    const dir = workspace({ "m.vfm": messy });
    const c = capture();
    expect(await main(["fmt", join(dir, "m.vfm")], c.io)).toBe(0);
    expect(c.out.join("")).toBe(tidy);
    expect(readFileSync(join(dir, "m.vfm"), "utf8")).toBe(messy);
  });

  it("--check lists unformatted files and exits 1; 0 when all are formatted", async () => {
    const dir = workspace({ "a.vfm": messy, "b.vfm": tidy });
    const c = capture();
    expect(await main(["fmt", "--check", join(dir, "a.vfm"), join(dir, "b.vfm")], c.io)).toBe(1);
    expect(c.out).toEqual([join(dir, "a.vfm")]);
    expect(c.err.join("\n")).toContain("not formatted");
    expect(await main(["fmt", "--check", join(dir, "b.vfm")], capture().io)).toBe(0);
  });

  it("--write rewrites in place, leaving no temporary files, and a second check passes", async () => {
    const dir = workspace({ "a.vfm": messy, "b.vfm": tidy });
    const c = capture();
    expect(await main(["fmt", "--write", join(dir, "a.vfm"), join(dir, "b.vfm")], c.io)).toBe(0);
    expect(readFileSync(join(dir, "a.vfm"), "utf8")).toBe(tidy);
    expect(readdirSync(dir).sort()).toEqual(["a.vfm", "b.vfm"]);
    expect(c.err).toEqual([`formatted ${join(dir, "a.vfm")}`]);
    expect(await main(["fmt", "--check", join(dir, "a.vfm")], capture().io)).toBe(0);
  });

  it("a file with syntax errors: diagnostics, exit 1, file untouched; other files still formatted", async () => {
    const broken = "model m { a 1 ..\n}";
    const dir = workspace({ "bad.vfm": broken, "ok.vfm": messy });
    const c = capture();
    expect(await main(["fmt", "--write", join(dir, "bad.vfm"), join(dir, "ok.vfm")], c.io)).toBe(1);
    expect(readFileSync(join(dir, "bad.vfm"), "utf8")).toBe(broken);
    expect(readFileSync(join(dir, "ok.vfm"), "utf8")).toBe(tidy);
    expect(c.err.join("\n")).toMatch(
      /bad\.vfm:2:1: error VFM1003: expected a number after '\.\.' but found '\}'/,
    );
  });

  it("a missing file and --check with --write are errors", async () => {
    const c = capture();
    expect(await main(["fmt", "/nonexistent/x.vfm"], c.io)).toBe(1);
    expect(c.err.join("\n")).toContain("VFM5001");
    const d = capture();
    expect(await main(["fmt", "--check", "--write", "x.vfm"], d.io)).toBe(2);
    expect(d.err.join("\n")).toContain("cannot be used together");
  });

  it("--help teaches with examples", async () => {
    const c = capture();
    await main(["fmt", "--help"], c.io);
    const help = c.out.join("");
    expect(help).toContain("--check");
    expect(help).toContain("vfmc fmt --write specs/*.vfm");
  });
});
