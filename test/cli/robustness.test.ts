// The hostile-input review of issue 15, kept: each case is a row — the command line, the exit code and diagnostic it
// must give, and the files that must be unchanged on disk afterwards (compared by SHA-256). Rows run in-process on a
// micro spec (test/cases/cli/micro.vfm); what only a real process shows (a full disk, signals, native aborts) runs
// the CLI as a child process (harness/cli-process.ts). A companion property test throws random flags and files at
// every command (robustness-property.test.ts).
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  readSafetensors,
  writeSafetensors,
  type TensorToWrite,
} from "../../src/runtime/checkpoint/safetensors.js";
import { bundleCli, runProcess } from "../harness/cli-process.js";
import { vfmc, type CliResult } from "../harness/cli.js";
import { writeIdx } from "../harness/idx-files.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-robust-");
const MICRO = "test/cases/cli/micro.vfm";
const P = (...parts: string[]) => join(root, ...parts);
const RUN = P("run"); // a finished 2-step run of the micro spec
const CKPT = P("run", "checkpoint.safetensors");
const NAN = P("nan.safetensors"); // the same checkpoint with every attn.qkv.weight NaN
const FAST = ["--threads", "1", "--data-workers", "0"];
const SMALL_EVAL = ["--bank", "32", "--queries", "16", "--threads", "1"];

function sha(path: string): string {
  return existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "(absent)";
}

/** The files that must survive a row, hashed before it runs. */
function snapshot(paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [p, sha(p)]));
}

/** An images file and its labels beside it, in a folder of its own; returns the images path. */
function idxPair(name: string, imageDims: number[], images?: Uint8Array): string {
  mkdirSync(P(name));
  const imagesPath = P(name, "train-images-idx3-ubyte");
  writeIdx(imagesPath, imageDims, images);
  writeIdx(P(name, "train-labels-idx1-ubyte"), [imageDims[0]!]);
  return imagesPath;
}

beforeAll(async () => {
  const r = await vfmc("run", "--train", MICRO, "--out", RUN, "--steps", "2", "--no-knn", ...FAST);
  expect(r.code, r.err).toBe(0);
  const { tensors, metadata } = await readSafetensors(CKPT);
  const out: TensorToWrite[] = [...tensors].map(([name, t]) => ({
    name,
    dtype: t.dtype,
    shape: t.shape,
    data: name.endsWith("attn.qkv.weight") ? (t.data as Float32Array).map(() => NaN) : t.data,
  }));
  await writeSafetensors(NAN, out, metadata);
  idxPair("no-images", [0, 8, 8]);
  idxPair("empty-images", [2, 0, 0]);
  idxPair("short", [10, 8, 8], new Uint8Array(5));
  mkdirSync(P("a-folder"));
  writeFileSync(P("a-file"), "not a folder\n");
  // 4 KB of syntax-shaped garbage: every token kind, in no order a spec would use
  const tokens = [
    "model",
    "extends",
    "{",
    "}",
    "[",
    "]",
    ",",
    "..",
    "->",
    "1e9",
    '"x',
    "=",
    "@",
    "#",
    "over",
    "\n",
  ];
  let seed = 7;
  let garbage = "";
  while (garbage.length < 4096) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    garbage += tokens[(seed >>> 16) % tokens.length] + " ";
  }
  writeFileSync(P("garbage.vfm"), garbage);
  writeFileSync(
    P("huge.vfm"),
    `import "${join(process.cwd(), MICRO)}"\nmodel huge extends micro { backbone { dim 99999999999999999999 } }\n`,
  );
  writeFileSync(
    P("inf.vfm"),
    `import "${join(process.cwd(), MICRO)}"\nmodel inf extends micro { optim { lr cosine 1e400 -> 1e-6 } }\n`,
  );
  writeFileSync(
    P("depth.vfm"),
    `import "${join(process.cwd(), MICRO)}"\nmodel d extends micro { backbone { depth 4.5 } }\n`,
  );
  const chain = ["model m0 { backbone vit { patch 4, dim 16, depth 1, heads 2 } }"];
  for (let i = 1; i < 30_000; i++) chain.push(`model m${i} extends m${i - 1} { }`);
  writeFileSync(P("chain.vfm"), chain.join("\n") + "\n");
}, 120_000);

interface Row {
  /** what is being checked, with the item number */
  readonly name: string;
  readonly args: () => string[];
  readonly code: number;
  /** the diagnostic code the output must contain (and no VFM5999) */
  readonly diag?: string;
  /** files that must be byte-identical afterwards */
  readonly unchanged?: () => string[];
  /** paths that must not exist afterwards */
  readonly absent?: () => string[];
  readonly also?: (r: CliResult) => void;
}

const rows: Row[] = [
  // 1. silent wrong results
  {
    name: "1: k-NN, levels and the linear probe refuse NaN features instead of scoring 100 %",
    args: () => ["eval", "--knn", "--levels", "--linear", MICRO, "--weights", NAN, ...SMALL_EVAL],
    code: 1,
    diag: "VFM6501",
    unchanged: () => [NAN],
    also: (r) => expect(r.out).not.toMatch(/100\.0%/),
  },
  {
    name: "1: run --init with NaN weights stops at the initial k-NN",
    args: () => [
      "run",
      "--train",
      MICRO,
      "--init",
      NAN,
      "--out",
      P("init-nan"),
      "--bank",
      "32",
      "--queries",
      "16",
      ...FAST,
    ],
    code: 1,
    diag: "VFM6501",
    unchanged: () => [NAN],
  },
  // 2. outputs overwrite inputs
  {
    name: "2: rasa -o the checkpoint it reads is refused before fitting",
    args: () => ["rasa", MICRO, "--weights", CKPT, "-o", CKPT],
    code: 1,
    diag: "VFM5006",
    unchanged: () => [CKPT],
  },
  {
    name: "2: viz pca -o the checkpoint it reads is refused",
    args: () => ["viz", "pca", MICRO, "--weights", CKPT, "--image", "synthetic#0", "-o", CKPT],
    code: 1,
    diag: "VFM5006",
    unchanged: () => [CKPT],
  },
  {
    name: "2: report -o the metrics it reads is refused",
    args: () => ["report", RUN, "-o", join(RUN, "metrics.jsonl")],
    code: 1,
    diag: "VFM5006",
    unchanged: () => [join(RUN, "metrics.jsonl"), join(RUN, "run.json")],
  },
  {
    name: "2: a failed --restart leaves checkpoint, metrics.jsonl and run.json agreeing with each other",
    args: () => [
      "run",
      "--train",
      MICRO,
      "--out",
      RUN,
      "--restart",
      "--steps",
      "2", // the fixture's own length: its compiled graphs are reused
      "--no-knn",
      "--data",
      `idx:${P("no-images", "train-images-idx3-ubyte")}`,
      ...FAST,
    ],
    code: 1,
    diag: "VFM6502",
    unchanged: () => [CKPT, join(RUN, "metrics.jsonl"), join(RUN, "run.json")],
    also: () => expect(readdirSync(RUN).filter((f) => f.endsWith(".tmp"))).toEqual([]),
  },
  // 3. a run folder broken by a full disk: a compile-cache entry without its completeness marker is compiled again
  {
    name: "3: a damaged compile-cache entry is compiled again, and kill -9 leftovers are removed (9)",
    args: () => {
      const dir = P("cache");
      cpSync(RUN, dir, { recursive: true });
      const entry = join(dir, "compiled", readdirSync(join(dir, "compiled"))[0]!);
      truncateSync(join(entry, "micro.manifest.json"), 100); // as ENOSPC left it
      const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout;
      writeFileSync(join(dir, `.checkpoint.safetensors.${dead}.0badc0de.tmp`), "half a checkpoint");
      return ["run", "--train", MICRO, "--out", dir, "--steps", "2", "--resume", "--no-knn", ...FAST];
    },
    code: 0,
    also: (r) => {
      expect(r.err).toMatch(/compiled micro\.train\.onnx/);
      expect(readdirSync(P("cache")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      expect(r.out).not.toMatch(/^losses,/m); // 9: no empty losses line when no step ran
    },
  },
  // 4. hangs and unbounded memory
  {
    name: "4: idx:/dev/zero is not read forever",
    args: () => ["eval", "--knn", MICRO, "--data", "idx:/dev/zero", ...SMALL_EVAL],
    code: 1,
    diag: "VFM5010",
  },
  {
    name: "4: viz pca --image /dev/zero is not read forever",
    args: () => ["viz", "pca", MICRO, "--image", "/dev/zero", "-o", P("zero.png")],
    code: 1,
    diag: "VFM6301",
    absent: () => [P("zero.png")],
  },
  {
    name: "4: --batch 100000000 is refused with the memory it would need, before anything is created",
    args: () => ["run", "--train", MICRO, "--batch", "100000000", "--out", P("huge-batch"), ...FAST],
    code: 1,
    diag: "VFM5011",
    absent: () => [P("huge-batch")],
    also: (r) =>
      expect(r.err).toMatch(
        /needs about [\d.]+ [KMGTPE]?B of memory, and this machine has [\d.]+ [KMGTPE]?B/,
      ),
  },
  {
    name: "4: a 30 000-model extends chain is a depth diagnostic, not a V8 heap abort",
    args: () => ["check", P("chain.vfm")],
    code: 1,
    diag: "VFM3022",
  },
  // 5. native aborts (the second Ctrl-C is a process row below)
  {
    name: "5: viz --rasa without RASA weights is a diagnostic, not an onnxruntime C++ error",
    args: () => [
      "viz",
      "pca",
      MICRO,
      "--weights",
      CKPT,
      "--image",
      "synthetic#0",
      "--rasa",
      "-o",
      P("rasa.png"),
    ],
    code: 1,
    diag: "VFM6504",
    absent: () => [P("rasa.png")],
  },
  // 6. the checker accepts nonsense
  {
    name: "6: dim 99999999999999999999 fails check",
    args: () => ["check", P("huge.vfm")],
    code: 1,
    diag: "VFM3001",
  },
  { name: "6: … and info", args: () => ["info", P("huge.vfm")], code: 1, diag: "VFM3001" },
  { name: "6: 1e400 fails check", args: () => ["check", P("inf.vfm")], code: 1, diag: "VFM3021" },
  { name: "6: … and info prints no Infinity", args: () => ["info", P("inf.vfm")], code: 1, diag: "VFM3021" },
  {
    name: "6: IDX files of 0×0 images do not train",
    args: () => [
      "eval",
      "--knn",
      MICRO,
      "--data",
      `idx:${P("empty-images", "train-images-idx3-ubyte")}`,
      ...SMALL_EVAL,
    ],
    code: 1,
    diag: "VFM6503",
  },
  {
    name: "6: --epochs 0.001 (0 steps) is a diagnostic, not exit 0",
    args: () => ["run", "--train", MICRO, "--epochs", "0.001", "--out", P("no-steps"), ...FAST],
    code: 1,
    diag: "VFM5014",
    absent: () => [P("no-steps")],
  },
  // 7. user mistakes reported as internal bugs, and exit codes
  {
    name: "7: --out that is a file",
    args: () => ["run", "--train", MICRO, "--out", P("a-file"), "--no-knn", ...FAST],
    code: 1,
    diag: "VFM5008",
    unchanged: () => [P("a-file")],
  },
  {
    name: "7: compile -o a file",
    args: () => ["compile", MICRO, "-o", P("a-file"), "--emit", "infer"],
    code: 1,
    diag: "VFM5008",
    unchanged: () => [P("a-file")],
  },
  {
    name: "7: an IDX file with 0 images",
    args: () => [
      "eval",
      "--knn",
      MICRO,
      "--data",
      `idx:${P("no-images", "train-images-idx3-ubyte")}`,
      ...SMALL_EVAL,
    ],
    code: 1,
    diag: "VFM6502",
  },
  {
    name: "7: an IDX file shorter than its header says",
    args: () => [
      "eval",
      "--knn",
      MICRO,
      "--data",
      `idx:${P("short", "train-images-idx3-ubyte")}`,
      ...SMALL_EVAL,
    ],
    code: 1,
    diag: "VFM6102",
  },
  {
    name: "7: --weights that is a folder",
    args: () => ["eval", "--knn", MICRO, "--weights", P("a-folder"), ...SMALL_EVAL],
    code: 1,
    diag: "VFM5010",
  },
  {
    name: "7: viz -o a folder",
    args: () => ["viz", "pca", MICRO, "--image", "synthetic#0", "-o", P("a-folder")],
    code: 1,
    diag: "VFM5007",
  },
  {
    name: "7: report -o a folder",
    args: () => ["report", RUN, "-o", P("a-folder")],
    code: 1,
    diag: "VFM5007",
  },
  {
    name: "7: rasa on NaN weights",
    args: () => ["rasa", MICRO, "--weights", NAN, "--images", "8", "-o", P("rasa.safetensors")],
    code: 1,
    diag: "VFM6501",
    absent: () => [P("rasa.safetensors")],
  },
  {
    name: "7: usage errors exit 2 in run",
    args: () => ["run", "--train", MICRO, "--steps", "0"],
    code: 2,
    diag: "VFM5004",
  },
  { name: "7: … in eval", args: () => ["eval", MICRO], code: 2, diag: "VFM5004" },
  {
    name: "7: … in compile",
    args: () => ["compile", MICRO, "--emit", "nope", "-o", P("c")],
    code: 2,
    diag: "VFM5004",
    absent: () => [P("c")],
  },
  { name: "7: … and in fmt", args: () => ["fmt", "--check", "--write", MICRO], code: 2, diag: "VFM5004" },
  // 9. smaller
  {
    name: "9: --resume without a checkpoint neither compiles nor creates the folder",
    args: () => ["run", "--train", MICRO, "--resume", "--out", P("no-run"), ...FAST],
    code: 1,
    diag: "VFM6206",
    absent: () => [P("no-run")],
  },
  {
    name: "9: a failed flag check leaves no empty --out",
    args: () => ["run", "--train", MICRO, "--log-every", "0", "--out", P("bad-flag")],
    code: 2,
    diag: "VFM5004",
    absent: () => [P("bad-flag")],
  },
  {
    name: "9: 4 KB of garbage gives at most 50 diagnostics and says how many more",
    args: () => ["check", P("garbage.vfm")],
    code: 1,
    diag: "VFM5013",
    also: (r) => {
      expect(r.err.match(/error VFM\d{4}/g)!.length).toBeLessThanOrEqual(50);
      expect(r.err.length).toBeLessThan(60_000);
    },
  },
  {
    name: "9: the hint for depth 4.5 shows depth, not dim",
    args: () => ["check", P("depth.vfm")],
    code: 1,
    diag: "VFM2103",
    also: (r) => expect(r.err).toContain("hint: for example: depth 12"),
  },
];

describe("robustness: the hostile-input review, one row per case", () => {
  for (const row of rows)
    it(row.name, { timeout: 60_000 }, async () => {
      const args = row.args();
      const before = snapshot(row.unchanged?.() ?? []);
      const r = await vfmc(...args);
      const all = r.out + r.err;
      expect(r.code, `${args.join(" ")}\n${all}`).toBe(row.code);
      if (row.diag) expect(all, args.join(" ")).toContain(row.diag);
      expect(all).not.toContain("VFM5999");
      expect(all).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack
      expect(snapshot(Object.keys(before))).toEqual(before);
      for (const p of row.absent?.() ?? []) expect(existsSync(p), p).toBe(false);
      row.also?.(r);
    });
});

describe("robustness: what only a process shows", () => {
  let cli: string;
  beforeAll(async () => {
    cli = await bundleCli();
  }, 60_000);

  it("3: compile onto a full disk (ulimit -f) writes no graph without its manifest, and says why", async () => {
    const out = P("full-disk");
    const r = await runProcess(cli, ["compile", MICRO, "-o", out], { fileSizeLimitKiB: 40 });
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(
      /error VFM5101: cannot write model .*: the file would be larger than this system allows \(EFBIG\)/,
    );
    expect(r.err).not.toContain("VFM5999");
    expect(readdirSync(out)).toEqual([]); // no .onnx without its manifest, no temporary
  });

  // the three signal rows share one run folder, so only the first compiles (and none of them writes a checkpoint
  // until the last)
  const SIGNALS = [
    "run",
    "--train",
    MICRO,
    "--out",
    P("signals"),
    "--steps",
    "400",
    "--checkpoint-every",
    "0",
    "--no-knn",
  ];
  /** signal(s) `delay` ms after the graphs are compiled or found: the worker is then starting onnxruntime */
  const whileSettingUp = (signals: NodeJS.Signals[], delay: number) => {
    let sent = false;
    return (err: string, kill: (s: NodeJS.Signals) => void): void => {
      if (sent || !/compiled micro|using the compiled/.test(err)) return;
      sent = true;
      signals.forEach((s, i) => setTimeout(() => kill(s), delay + 30 * i));
    };
  };

  it("5: a second Ctrl-C while onnxruntime sets up exits at once with a message, without a native abort", async () => {
    const r = await runProcess(cli, [...SIGNALS, ...FAST], {
      onErr: whileSettingUp(["SIGINT", "SIGINT"], 200),
    });
    expect(r.err).not.toContain("terminate called");
    expect(r.signal ?? r.code, r.err).toBe("SIGINT");
    expect(r.err).toMatch(/warning VFM650[67]: SIGINT/);
    expect(r.ms).toBeLessThan(60_000);
  });

  it("4: SIGTERM while the run sets up (data, onnxruntime) is honoured at once, with a message", async () => {
    const r = await runProcess(cli, [...SIGNALS, ...FAST], { onErr: whileSettingUp(["SIGTERM"], 200) });
    expect(r.signal ?? r.code, r.err).toBe("SIGTERM");
    expect(r.err).toContain("warning VFM6506: SIGTERM before the first training step");
    expect(r.err).not.toContain("terminate called");
  });

  it("9: after one Ctrl-C mid-run, the stop's checkpoint is announced once", async () => {
    const r = await runProcess(cli, [...SIGNALS, "--steps-per-call", "1", ...FAST], {
      onErr: (err, kill) => {
        if (/step +\d+\/400/.test(err) && !err.includes("VFM6505")) kill("SIGINT");
      },
    });
    expect(r.code, r.err).toBe(130);
    const step = /VFM6207: SIGINT at step (\d+)/.exec(r.err)?.[1];
    expect(step, r.err).toBeDefined();
    expect(r.err.split("checkpoint.safetensors").length - 1, r.err).toBe(1);
  });
});
