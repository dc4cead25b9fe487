// `vfmc run --train` end to end on examples/franca-tiny.vfm (a few steps, batch 2): the JSON summary, the run folder
// (compiled-graph cache, checkpoint, metrics.jsonl), resuming, and the user-facing errors — all diagnostics, no stacks.
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readSafetensors, writeSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import { ortBinaryFolder } from "../../src/runtime/session.js";
import { vfmc } from "../harness/cli.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-run-");

const SPEC = "examples/franca-tiny.vfm";
const SMALL = [
  "--steps",
  "3",
  "--batch",
  "2",
  "--threads",
  "1",
  "--data-workers",
  "0",
  "--bank",
  "64",
  "--queries",
  "32",
];
/** `vfmc run --train` on the tiny spec with the SMALL settings, then ARGS. */
const trainSmall = (...args: string[]) => vfmc("run", "--train", SPEC, ...SMALL, ...args);
const dir = join(root, "tiny");
const KEEP = "teacher.momentum=cosine 0.95 -> 1.0"; // the spec's own value: the same run as without it
const ckpt = join(dir, "checkpoint.safetensors");

interface Summary {
  steps: number;
  startStep: number;
  endStep: number;
  wallSeconds: number;
  imgPerSec: number;
  dataWaitShare: number;
  finalLosses: Record<string, number>;
  knn: {
    randomInit: { results: { k: number; top1: number; top5: number }[] } | null;
    trained: { step: number; results: { k: number; top1: number }[] } | null;
    during: { step: number }[];
  };
  checkpoint: string | null;
}

let first: { code: number; out: string; err: string };
beforeAll(async () => {
  // a --set that keeps the spec's value: recorded in run.json and the checkpoint, the model unchanged
  first = await trainSmall("--out", dir, "--json", "--eval-every", "2", "--set", KEEP);
}, 300_000);

describe("vfmc run --train", () => {
  it("prints a JSON summary with steps, timing, losses, the data-wait share and kNN before and after", () => {
    expect(first.code, first.err).toBe(0);
    const s = JSON.parse(first.out) as Summary;
    expect(s).toMatchObject({ steps: 3, startStep: 0, endStep: 3, checkpoint: ckpt });
    expect(s.wallSeconds).toBeGreaterThan(0);
    expect(s.imgPerSec).toBeGreaterThan(0);
    expect(s.dataWaitShare).toBeGreaterThanOrEqual(0);
    expect(s.dataWaitShare).toBeLessThan(1);
    expect(Object.keys(s.finalLosses)).toEqual(
      expect.arrayContaining(["loss", "loss_dino", "loss_ibot", "loss_koleo"]),
    );
    expect(Number.isFinite(s.finalLosses.loss)).toBe(true);
    expect(s.knn.randomInit!.results.map((r) => r.k)).toEqual([20]);
    expect(s.knn.trained!.step).toBe(3);
    expect(s.knn.during.map((p) => p.step)).toEqual([2, 3]);
    for (const r of [...s.knn.randomInit!.results, ...s.knn.trained!.results])
      expect(r.top1).toBeGreaterThanOrEqual(0);
  });

  it("leaves the compiled graphs, the checkpoint, one metrics line per step and one per k-NN in the run folder", () => {
    expect(existsSync(ckpt)).toBe(true);
    const compiled = readdirSync(join(dir, "compiled"));
    expect(compiled).toHaveLength(1);
    expect(readdirSync(join(dir, "compiled", compiled[0]!))).toEqual(
      expect.arrayContaining(["franca_tiny.train.onnx", "franca_tiny.manifest.json"]),
    );
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as Record<string, number> & {
            knn?: Record<string, number>;
            knn_pixels?: Record<string, number>;
          },
      );
    const steps = lines.filter((l) => l.knn === undefined && l.knn_pixels === undefined);
    expect(steps.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(steps[0]).toHaveProperty("lr");
    expect(steps[0]).toHaveProperty("teacher_temp");
    // before training (step 0), --eval-every 2, and at the end: the summary's accuracies, per k
    const s = JSON.parse(first.out) as Summary;
    const knn = lines.filter((l) => l.knn !== undefined);
    expect(knn.map((l) => l.step)).toEqual([0, 2, 3]);
    expect(knn[0]!.knn).toEqual({
      "top1@20": s.knn.randomInit!.results[0]!.top1,
      "top5@20": s.knn.randomInit!.results[0]!.top5,
    });
    expect(knn[2]!.knn!["top1@20"]).toBe(s.knn.trained!.results[0]!.top1);
  });

  it("records the training-dynamics monitors per step, the losses' uniform values and the raw-pixel k-NN", () => {
    const s = JSON.parse(first.out) as Summary & {
      uniformLosses: Record<string, number>;
      firstLosses: Record<string, number>;
      warnings: unknown[];
      knn: { rawPixels: { results: { top1: number }[] } | null };
    };
    // franca-tiny: Σ log K over the levels 16/32/64 for DINO; iBOT counts the masked half of the 2B crops
    const sumLogK = Math.log(16) + Math.log(32) + Math.log(64);
    expect(s.uniformLosses.loss_dino).toBeCloseTo(sumLogK, 4);
    expect(s.uniformLosses.loss_ibot).toBeCloseTo(sumLogK / 2, 4);
    expect(Object.keys(s.firstLosses)).toEqual(expect.arrayContaining(["loss", "loss_dino"]));
    expect(Array.isArray(s.warnings)).toBe(true);
    expect(s.knn.rawPixels!.results[0]!.top1).toBeGreaterThan(0);
    const run = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as {
      uniform: Record<string, number>;
    };
    expect(run.uniform).toEqual(s.uniformLosses);
    const step = JSON.parse(readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n")[2]!) as Record<
      string,
      number
    >;
    const shares = Object.keys(step).filter((k) => k.startsWith("grad_share."));
    expect(shares.sort()).toEqual(["grad_share.dino", "grad_share.ibot", "grad_share.koleo"]);
    expect(shares.reduce((a, k) => a + step[k]!, 0)).toBeCloseTo(1, 4);
    [16, 32, 64].forEach((k, l) => {
      for (const loss of ["dino", "ibot"]) {
        expect(step[`${loss}_prototypes.${l}`]).toBeLessThanOrEqual(k * (1 + 1e-5));
        expect(step[`${loss}_target_entropy.${l}`]).toBeLessThanOrEqual(Math.log(k) + 1e-4);
        expect(step[`${loss}_student_entropy.${l}`]).toBeLessThanOrEqual(Math.log(k) + 1e-4);
      }
    });
    expect(step.dino_cls_std).toBeGreaterThanOrEqual(0);
  });

  it("records --set in run.json and the checkpoint's metadata", async () => {
    const run = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as { set?: string[] };
    expect(run.set).toEqual([KEEP]);
    const md = (await readSafetensors(ckpt)).metadata;
    expect(JSON.parse(md.set!)).toEqual([KEEP]);
  });

  it("gives `vfmc report` the k-NN curve", { timeout: 120_000 }, async () => {
    const page = join(root, "report.html");
    const r = await vfmc("report", dir, "-o", page);
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(page, "utf8");
    expect(html).toContain("knn.top1@20");
    expect(html).toContain("knn.top5@20");
    expect(html).not.toContain("no k-NN evaluations");
  });

  it(
    "continues at a higher resolution from a checkpoint (--init, --resolution), heads fresh",
    { timeout: 300_000 },
    async () => {
      const hr = join(root, "hr");
      const from = join(root, "from-32px.safetensors");
      // the 32 px run's checkpoint, with a marked cls_token and head weight (the seeded init would look alike)
      const source = (await readSafetensors(ckpt)).tensors;
      const head = [...source.keys()].find((k) => /^teacher\..*head.*weight$/.test(k))!;
      expect(head).toBeDefined();
      const marked = (name: string) => new Float32Array(source.get(name)!.data.length).fill(0.5);
      await writeSafetensors(
        from,
        [...source].map(([name, t]) => ({
          name,
          dtype: t.dtype,
          shape: t.shape,
          data: name === "teacher.backbone.cls_token" || name === head ? marked(name) : t.data,
        })),
      );
      const r = await trainSmall("--steps", "2", "--init", from, "--resolution", "40", "--out", hr, "--json");
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/info VFM4013: .*pos_embed 8×8 resized to 10×10 .* at 40 px/);
      const s = JSON.parse(r.out) as Summary & { knn: { initial?: { step: number } } };
      expect(s).toMatchObject({ steps: 2, endStep: 2 });
      expect(s.knn.randomInit).toBeNull();
      expect(s.knn.initial!.step).toBe(0);
      const { tensors, metadata } = await readSafetensors(join(hr, "checkpoint.safetensors"));
      expect(tensors.get("teacher.backbone.pos_embed")!.shape).toEqual([1, 1 + 10 * 10, 64]);
      expect(tensors.get("student.backbone.pos_embed")!.shape).toEqual([1, 1 + 10 * 10, 64]);
      // the backbone came from the file (2 small steps later), the head did not
      const near = (name: string) =>
        Array.from(tensors.get(name)!.data as Float32Array).every((v) => Math.abs(v - 0.5) < 0.05);
      expect(near("teacher.backbone.cls_token")).toBe(true);
      expect(near(head)).toBe(false);
      const run = JSON.parse(readFileSync(join(hr, "run.json"), "utf8")) as Record<string, unknown>;
      expect(run).toMatchObject({ init: from, resolution: 40, runHash: metadata.run_hash });
      expect(run.initSha256).toMatch(/^[0-9a-f]{64}$/);
      // --resume finds the run's start weights in run.json: same identity, nothing left to do
      const again = await trainSmall(
        "--steps",
        "2",
        "--resolution",
        "40",
        "--out",
        hr,
        "--resume",
        "--no-knn",
      );
      expect(again.code, again.err).toBe(0);
      expect(again.out).toContain("trained 0 steps (2 → 2)");
    },
  );

  it("reuses the compiled graphs and, with --resume, has nothing left to do at the last step", async () => {
    const r = await trainSmall("--out", dir, "--resume", "--no-knn");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("using the compiled graphs");
    expect(r.err).toContain("nothing to train");
    expect(r.out).toContain("trained 0 steps (3 → 3)");
  });

  it("resumes at the step of its last checkpoint (periodic checkpoints on)", async () => {
    const more = join(root, "more");
    expect(
      (await trainSmall("--out", more, "--no-knn", "--steps", "4", "--checkpoint-every", "2")).code,
    ).toBe(0);
    // same run (same --steps), resumed after its last checkpoint was the one at step 4
    const r = await trainSmall("--out", more, "--no-knn", "--steps", "4", "--resume", "--json");
    expect(JSON.parse(r.out)).toMatchObject({ steps: 0, startStep: 4, endStep: 4 });
  });

  it("will not start over a folder's checkpoint unless told to (--restart)", async () => {
    const before = readFileSync(ckpt);
    const r = await trainSmall("--out", dir, "--no-knn");
    expect(r.code).toBe(1);
    expect(r.err).toContain("error VFM6211");
    expect(r.err).toContain("(step 3 of franca_tiny)");
    expect(readFileSync(ckpt).equals(before)).toBe(true);
    const again = await trainSmall("--out", dir, "--no-knn", "--restart", "--json", "--set", KEEP);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ startStep: 0, endStep: 3 });
    // same seed, same data, same graph: the restarted run reproduces the checkpoint byte for byte
    expect(readFileSync(ckpt).equals(before)).toBe(true);
  });

  it("refuses to resume another run's checkpoint and leaves it untouched", async () => {
    const before = readFileSync(ckpt);
    const r = await trainSmall("--out", dir, "--resume", "--seed", "5", "--no-knn");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error VFM6203: checkpoint .* belongs to another run: .*seed 0, not 5/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(readFileSync(ckpt).equals(before)).toBe(true);
  });

  it("reports a truncated checkpoint as such", async () => {
    const cut = join(root, "cut");
    expect((await trainSmall("--out", cut, "--no-knn", "--steps", "1")).code).toBe(0);
    const path = join(cut, "checkpoint.safetensors");
    truncateSync(path, readFileSync(path).length - 100);
    const r = await trainSmall("--out", cut, "--no-knn", "--steps", "1", "--resume");
    expect(r.code).toBe(1);
    expect(r.err).toContain("error VFM6002");
  });

  it(
    "stops on SIGINT after the current step with a checkpoint and a message, and --resume finishes the run",
    { timeout: 180_000 },
    async () => {
      const sig = join(root, "sigint");
      const args = ["run", "--train", SPEC, ...SMALL, "--steps", "20", "--out", sig, "--no-knn"];
      const running = vfmc(...args);
      // signal once the loop has taken a step (the run yields between steps, so the poll gets to run)
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          const metrics = join(sig, "metrics.jsonl");
          if (existsSync(metrics) && readFileSync(metrics, "utf8").includes("\n")) {
            clearInterval(poll);
            process.emit("SIGINT");
            resolve();
          }
        }, 20);
      });
      const r = await running;
      expect(r.code, r.err + r.out).toBe(130);
      const m = /warning VFM6207: SIGINT at step (\d+): checkpoint written to (.*)/.exec(r.err);
      expect(m, r.err).not.toBeNull();
      const stoppedAt = Number(m![1]);
      expect(stoppedAt).toBeGreaterThanOrEqual(1);
      expect(stoppedAt).toBeLessThan(20);
      expect(r.err).toContain("hint: continue with the same command and --resume");
      const done = await vfmc(...args, "--resume", "--json");
      expect(done.code, done.err).toBe(0);
      expect(JSON.parse(done.out)).toMatchObject({ startStep: stoppedAt, endStep: 20 });
    },
  );

  it("says how to install the CUDA provider when it is missing", async (ctx) => {
    if (existsSync(join(ortBinaryFolder(), "libonnxruntime_providers_cuda.so")))
      ctx.skip("the CUDA provider is installed here: there is nothing to explain");
    const r = await trainSmall("--out", join(root, "cuda"), "--device", "cuda", "--no-knn");
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "error VFM6201: cannot use --device cuda: the CUDA execution provider is not installed",
    );
    expect(r.err).toContain("ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node");
    expect(r.err).toContain("`vfmc doctor --device cuda` names what is missing");
  });

  it("rejects bad options with a diagnostic", async () => {
    // usage errors (VFM5004: the command line itself is wrong) exit 2, user mistakes in the inputs exit 1
    const cases: [string[], RegExp, number][] = [
      [["run", SPEC], /needs a mode: --train/, 2],
      [["run", "--train", SPEC, "--device", "tpu"], /--device tpu: expected one of cpu, cuda, webgpu/, 2],
      [["run", "--train", SPEC, "--steps", "0"], /--steps 0: expected an integer ≥ 1/, 2],
      [["run", "--train", SPEC, "--steps", "2", "--epochs", "1"], /give --steps or --epochs, not both/, 2],
      [["run", "--train", SPEC, "--k", "0"], /--k 0: expected positive integers/, 2],
      [["run", "--train", SPEC, "--data", "nowhere"], /VFM6105/, 1],
      [["run", "--train", SPEC, "--model", "nope"], /VFM5002/, 1],
      [["run", "--train", SPEC, "--init", ckpt, "--resume"], /give --init or --resume, not both/, 2],
      [["run", "--train", SPEC, "--resolution", "40"], /--resolution 40 needs --init CKPT/, 2],
      [["run", "--train", SPEC, "--init", ckpt, "--resolution", "42"], /error VFM4014/, 1],
      [["run", "--train", SPEC, "--init", join(root, "none.safetensors")], /error VFM6001/, 1],
    ];
    for (const [args, want, code] of cases) {
      const r = await vfmc(...args);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.err, args.join(" ")).toMatch(want);
    }
  });

  it("has --help that describes the options and gives examples", async () => {
    const r = await vfmc("run", "--help");
    for (const opt of [
      "--train",
      "--steps",
      "--epochs",
      "--batch",
      "--device",
      "--threads",
      "--out",
      "--resume",
      "--seed",
      "--eval-every",
      "--init",
      "--resolution",
      "--json",
      "Examples:",
    ])
      expect(r.out).toContain(opt);
  });

  it("writes nothing over a run folder's files when the spec has errors", async () => {
    const bad = join(root, "bad.vfm");
    writeFileSync(bad, "model m { backbone vit { dim 64 }");
    const r = await vfmc("run", "--train", bad, "--out", join(root, "badrun"));
    expect(r.code).toBe(1);
    expect(existsSync(join(root, "badrun"))).toBe(false);
  });
});
