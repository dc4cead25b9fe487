// One rule for errors (src/cli/io.ts): every catalogue diagnostic, thrown out of a command, exits with the code its
// kind calls for — 1 for a user mistake, 2 for a usage error or a vfmc bug, 0 for warnings and notes. The usage and
// bug codes are listed here by hand, so a diagnostic that changes class does so in a reviewed diff.
import { describe, expect, it } from "vitest";
import { Diag, type DiagKey } from "../../src/diagnostics/catalogue.js";
import { codeOf, DiagnosticError, makeDiagnostic } from "../../src/diagnostics/diagnostic.js";
import { guarded, type Io } from "../../src/cli/io.js";

const USAGE = ["VFM5004"];
const BUGS = ["VFM5999"];

async function exitOf(thrown: unknown): Promise<{ code: number; err: string }> {
  let err = "";
  const io: Io = { out: () => undefined, err: (t) => void (err += t + "\n") };
  const code = await guarded(io, {}, () => {
    throw thrown;
  });
  return { code, err };
}

describe("exit codes", () => {
  const keys = Object.keys(Diag) as DiagKey[];
  it("walks every catalogue code through the CLI's exit-code mapping", async () => {
    const wrong: string[] = [];
    for (const key of keys) {
      const d = makeDiagnostic(key, undefined, []);
      const want = d.severity !== "error" ? 0 : USAGE.includes(d.code) || BUGS.includes(d.code) ? 2 : 1;
      const { code, err } = await exitOf(new DiagnosticError([d]));
      if (code !== want) wrong.push(`${d.code} ${key}: exit ${code}, expected ${want}`);
      if (!err.includes(d.code)) wrong.push(`${d.code} ${key}: not printed`);
    }
    expect(wrong).toEqual([]);
    expect(keys.map(codeOf)).toEqual(expect.arrayContaining([...USAGE, ...BUGS]));
  });

  it("explains file-system errors as user errors naming the path, not as vfmc bugs", async () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
      syscall: "write",
      path: "/data/run/checkpoint.safetensors",
    });
    const r = await exitOf(enospc);
    expect(r.code).toBe(1);
    expect(r.err).toContain("VFM5009");
    expect(r.err).toContain("/data/run/checkpoint.safetensors: no space left on the device (ENOSPC)");
    expect(r.err).not.toContain("VFM5999");
  });

  it("reports allocation failures as out of memory and anything else as a vfmc bug", async () => {
    const oom = await exitOf(new RangeError("Array buffer allocation failed"));
    expect([oom.code, oom.err.includes("VFM5012")]).toEqual([1, true]);
    const bug = await exitOf(new TypeError("x is undefined"));
    expect([bug.code, bug.err.includes("VFM5999")]).toEqual([2, true]);
    expect(bug.err).not.toMatch(/\n\s+at /); // no stack without --trace
  });
});
