// The one output helper (src/files/output.ts): temp-then-rename, sets of files committed together, refusing to
// write over inputs, folders and devices, stale temporaries removed on the next run, append-only logs staged until
// committed, and file-system errors as diagnostics that name the path.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { FS_ERROR_CODES, fsReason } from "../../src/files/fs-errors.js";
import { clearInputs, noteInput, readInputFile } from "../../src/files/inputs.js";
import {
  checkOutputPath,
  cleanStaleTemps,
  OutputLog,
  OutputSet,
  prepareOutputFolder,
  tempPathFor,
  writeOutput,
  writeOutputSync,
} from "../../src/files/output.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-output-");
let n = 0;
let dir: string;
beforeEach(() => {
  clearInputs();
  dir = join(root, `t${n++}`);
  mkdirSync(dir);
});

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (e instanceof DiagnosticError) return e.diagnostics.map((d) => d.code).join(",");
    throw e;
  }
  return undefined;
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(r.stdout.toString());
}

const temps = (d: string) => readdirSync(d).filter((f) => f.endsWith(".tmp"));

describe("writeOutput", () => {
  it("replaces a file whole and leaves no temporary behind", async () => {
    const p = join(dir, "a.txt");
    await writeOutput(p, "one");
    await writeOutput(p, new TextEncoder().encode("two"));
    expect(readFileSync(p, "utf8")).toBe("two");
    expect(temps(dir)).toEqual([]);
  });

  it("keeps the previous file when the writer fails half way", async () => {
    const p = join(dir, "a.txt");
    writeOutputSync(p, "old");
    const failing = writeOutput(p, async (f) => {
      await f.write("partial");
      throw new Error("disk gone");
    });
    expect(await codeOf(failing)).toBe("VFM5005");
    expect(readFileSync(p, "utf8")).toBe("old");
    expect(temps(dir)).toEqual([]);
  });

  it("refuses to write over a file the command read, unless the write is in place on purpose", async () => {
    const p = join(dir, "ck.safetensors");
    writeFileSync(p, "weights");
    readInputFile(p, "checkpoint");
    expect(await codeOf(writeOutput(p, "x"))).toBe("VFM5006");
    expect(await codeOf(writeOutput(join(dir, ".", "ck.safetensors"), "x"))).toBe("VFM5006");
    expect(readFileSync(p, "utf8")).toBe("weights");
    await writeOutput(p, "formatted", { inPlace: true });
    expect(readFileSync(p, "utf8")).toBe("formatted");
  });

  it("knows a hard link of an input is that input", async () => {
    const p = join(dir, "in.bin");
    writeFileSync(p, "x");
    noteInput(p);
    const link = join(dir, "link.bin");
    spawnSync("ln", [p, link]);
    expect(await codeOf(() => checkOutputPath(link))).toBe("VFM5006");
  });

  it("refuses folders and devices as files to write", async () => {
    expect(await codeOf(writeOutput(dir, "x"))).toBe("VFM5007");
    expect(await codeOf(() => checkOutputPath("/dev/null"))).toBe("VFM5007");
  });

  it("turns file-system errors into a diagnostic that names the path and the reason", async () => {
    const missing = join(dir, "no", "such", "folder", "x.png");
    const e = (await writeOutput(missing, "x").catch((x: unknown) => x)) as DiagnosticError;
    expect(e.diagnostics[0]!.code).toBe("VFM5005");
    expect(e.diagnostics[0]!.message).toContain(missing);
    expect(e.diagnostics[0]!.message).toContain("(ENOENT)");
  });
});

describe("OutputSet", () => {
  it("renames nothing until commit, and nothing at all when a later file fails", async () => {
    const a = join(dir, "m.infer.onnx");
    const b = join(dir, "m.manifest.json");
    const set = new OutputSet();
    await set.stage(a, "graph");
    expect(existsSync(a)).toBe(false);
    const failing = set.stage(b, async () => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    });
    expect(await codeOf(failing)).toBe("VFM5005");
    await set.discard();
    expect(readdirSync(dir)).toEqual([]);

    const ok = new OutputSet();
    await ok.stage(a, "graph");
    await ok.stage(b, "{}");
    await ok.commit();
    expect(readdirSync(dir).sort()).toEqual(["m.infer.onnx", "m.manifest.json"]);
  });
});

describe("stale temporaries", () => {
  it("removes those of exited writers (kill -9 leftovers) and keeps those of live ones", () => {
    const dead = join(dir, `.checkpoint.safetensors.${deadPid()}.0123abcd.tmp`);
    const live = join(dir, `.checkpoint.safetensors.${process.pid}.0123abcd.tmp`);
    const foreign = join(dir, ".checkpoint.safetensors.tmp");
    for (const f of [dead, live, foreign]) writeFileSync(f, "partial");
    prepareOutputFolder(dir);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(foreign)).toBe(true);
  });

  it("removes a stale staging folder too, and only temporaries of the named target when asked", () => {
    const pid = deadPid();
    const folder = join(dir, `.abc123.${pid}.00ff00ff.tmp`);
    mkdirSync(folder);
    writeFileSync(join(folder, "x.onnx"), "x");
    const other = join(dir, `.metrics.jsonl.${pid}.00ff00ff.tmp`);
    writeFileSync(other, "");
    expect(cleanStaleTemps(dir, "abc123")).toEqual([`.abc123.${pid}.00ff00ff.tmp`]);
    expect(existsSync(other)).toBe(true);
  });

  it("names temporaries so that the pattern recognises them, even for very long names", () => {
    const long = join(dir, "x".repeat(250));
    expect(tempPathFor(long).length - dir.length).toBeLessThan(255);
    expect(tempPathFor(join(dir, "a.png"))).toMatch(/\/\.a\.png\.\d+\.[0-9a-f]{8}\.tmp$/);
  });
});

describe("OutputLog", () => {
  it("stages a replacing log until commit; discard keeps the old one", () => {
    const p = join(dir, "metrics.jsonl");
    writeFileSync(p, '{"step":1}\n');
    const log = OutputLog.open(p, { replace: true });
    expect(log.pending).toBe(true);
    log.append('{"step":0}\n');
    expect(readFileSync(p, "utf8")).toBe('{"step":1}\n');
    log.discard();
    expect(readFileSync(p, "utf8")).toBe('{"step":1}\n');
    expect(temps(dir)).toEqual([]);

    const again = OutputLog.open(p, { replace: true });
    again.append('{"step":0}\n');
    again.commit();
    again.append('{"step":1}\n');
    expect(readFileSync(p, "utf8")).toBe('{"step":0}\n{"step":1}\n');
  });

  it("starts a resumed log from the kept lines, atomically", () => {
    const p = join(dir, "metrics.jsonl");
    writeFileSync(p, "old\nlines\n");
    const log = OutputLog.open(p, { replace: false, initial: "kept\n" }, { inPlace: true });
    expect(log.pending).toBe(false);
    log.append("next\n");
    expect(readFileSync(p, "utf8")).toBe("kept\nnext\n");
  });
});

describe("file-system errors", () => {
  it("explains real errno codes in words", () => {
    let full: unknown;
    try {
      writeFileSync("/dev/full", "x"); // a device that is always full: a real ENOSPC
    } catch (e) {
      full = e;
    }
    expect(fsReason(full)).toBe("no space left on the device (ENOSPC)");
    for (const code of ["EACCES", "EROFS", "EISDIR", "ENOTDIR", "EFBIG", "EPERM"])
      expect(FS_ERROR_CODES).toContain(code);
  });

  it("refuses to read what is no regular file", async () => {
    expect(await codeOf(() => readInputFile("/dev/zero", "IDX file"))).toBe("VFM5010");
    expect(await codeOf(() => readInputFile(dir, "IDX file"))).toBe("VFM5010");
  });
});
