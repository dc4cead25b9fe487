// `vfmc check`: exit codes, several errors per run, JSON output.
import { describe, expect, test } from "vitest";
import { vfmcAsPrinted as run } from "../harness/cli.js";

describe("vfmc check", () => {
  test("the shipped specs are clean: exit 0", async () => {
    const r = await run("check", "specs/dinov2.vfm", "specs/franca.vfm", "examples/franca-tiny.vfm");
    expect(r.code).toBe(0);
    expect(r.err).toContain("3 files, 8 models: ok");
  });

  test("a broken spec reports every error with file:line:col and exits 1", async () => {
    const r = await run("check", "test/cases/check/c-many-errors.vfm");
    expect(r.code).toBe(1);
    for (const code of ["VFM3003", "VFM2104", "VFM3004", "VFM3009", "VFM3002", "VFM2108"])
      expect(r.err).toContain(code);
    expect(r.err).toContain("test/cases/check/c-many-errors.vfm:2:53: error VFM3003");
    expect(r.err).toContain("hint: did you mean 'swiglu'?");
  });

  test("warnings alone keep exit 0", async () => {
    const r = await run("check", "test/cases/check/c-gelu-not-nested.vfm");
    expect(r.code).toBe(0);
    expect(r.err).toContain("warning VFM3020");
  });

  test("--json prints the diagnostics as data, with the quick-fix suggestion", async () => {
    const r = await run("check", "--json", "test/cases/check/k-unknown-key.vfm");
    expect(r.code).toBe(1);
    const ds = JSON.parse(r.out) as {
      code: string;
      span: { start: { line: number; col: number } };
      data?: { suggestion?: string };
    }[];
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({
      code: "VFM2101",
      span: { start: { line: 2, col: 28 } },
      data: { suggestion: "dim" },
    });
  });

  test("--json on a clean spec prints an empty array", async () => {
    const r = await run("check", "--json", "specs/dino.vfm");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([]);
  });

  test("--set is checked like the spec, its diagnostics pointing into the argument", async () => {
    const r = await run("check", "examples/franca-tiny.vfm", "--set", "heads.dino.l2nrm=true");
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "<--set 1>:1:12: error VFM2101: unknown key 'l2nrm' in heads.dino\n" +
        "  hint: did you mean 'l2norm'?\n" +
        "  heads.dino.l2nrm=true\n" +
        "             ^^^^^",
    );
  });

  test("a missing file is a diagnostic, not a stack", async () => {
    const r = await run("check", "nope/missing.vfm");
    expect(r.code).toBe(1);
    expect(r.err).toContain("VFM5001");
    expect(r.err).not.toContain("    at ");
  });

  test("a file with only imports has no models: VFM5003", async () => {
    const r = await run("check", "test/cases/cli/import-only.vfm");
    expect(r.code).toBe(1);
    expect(r.err).toContain("VFM5003");
  });
});
