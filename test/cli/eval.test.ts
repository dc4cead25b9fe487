// `vfmc eval`: the k-NN accuracy of a training checkpoint's teacher (reference §10.1) through the inference graph,
// against the random initialisation; k-NN per Matryoshka level, the linear probe and retrieval; the user-facing errors.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import { vfmc } from "../harness/cli.js";
import { scratchDir } from "../harness/scratch-dir.js";
import { requires } from "../harness/requires.js";

const root = scratchDir("vfmc-eval-");

const SPEC = "examples/franca-tiny.vfm";
const LIMITS = ["--bank", "200", "--queries", "50", "--threads", "1"];
const ckpt = join(root, "run", "checkpoint.safetensors");

interface EvalJson {
  model: string;
  bank: number;
  queries: number;
  featureDim: number;
  results: { k: number; top1: number; top5: number }[];
}

beforeAll(async () => {
  const r = await vfmc(
    "run",
    "--train",
    SPEC,
    "--steps",
    "2",
    "--batch",
    "2",
    "--threads",
    "1",
    "--data-workers",
    "0",
    "--no-knn",
    "--out",
    join(root, "run"),
  );
  expect(r.code, r.err).toBe(0);
}, 300_000);

describe("vfmc eval --knn", () => {
  it("reports top-1/top-5 per k for a checkpoint's teacher on the held-out split", async () => {
    const r = await vfmc("eval", "--knn", SPEC, "--weights", ckpt, ...LIMITS, "--k", "5,20", "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as EvalJson;
    expect(j).toMatchObject({ model: "franca_tiny", bank: 200, queries: 50, featureDim: 64 });
    expect(j.results.map((x) => x.k)).toEqual([5, 20]);
    for (const x of j.results) {
      expect(x.top1).toBeGreaterThanOrEqual(0);
      expect(x.top5).toBeGreaterThanOrEqual(x.top1);
      expect(x.top5).toBeLessThanOrEqual(1);
      // 50 queries: accuracies are multiples of 1/50
      expect(Math.round(x.top1 * 50)).toBeCloseTo(x.top1 * 50, 6);
    }
  });

  it("prints the raw-pixel k-NN of the same bank and queries beside the model's", async () => {
    const r = await vfmc("eval", "--knn", SPEC, "--weights", ckpt, ...LIMITS, "--json");
    const j = JSON.parse(r.out) as EvalJson & { rawPixels: { results: { k: number; top1: number }[] } };
    expect(j.rawPixels.results.map((x) => x.k)).toEqual([20]);
    // pixels are not random features: well above chance (10 %) on the synthetic shapes
    expect(j.rawPixels.results[0]!.top1).toBeGreaterThan(0.2);
    const text = (await vfmc("eval", "--knn", SPEC, "--weights", ckpt, ...LIMITS)).out;
    expect(text).toMatch(/kNN \(raw pixels, 200 bank \/ 50 queries, [\d.]+ s\): k=20 top-1/);
    expect(text).toMatch(/k-NN top-1 = [\d.]+ × the raw pixels'/);
  });

  it("prints one line for a checkpoint and for the random init without --json", async () => {
    const trained = await vfmc("eval", "--knn", SPEC, "--weights", ckpt, ...LIMITS);
    const random = await vfmc("eval", "--knn", SPEC, ...LIMITS);
    expect(trained.code, trained.err).toBe(0);
    expect(random.code, random.err).toBe(0);
    expect(trained.out).toMatch(
      /^kNN \(.*checkpoint\.safetensors, 200 bank \/ 50 queries, [\d.]+ s\): k=20 top-1 [\d.]+% top-5 [\d.]+%/,
    );
    expect(random.out).toContain("kNN (random init, 200 bank / 50 queries");
  });

  it("rejects weights of another model with the tensor and both shapes", async () => {
    const other = join(root, "other.safetensors");
    await writeSafetensors(other, [
      { name: "teacher.backbone.pos_embed", dtype: "F32", shape: [1, 5, 64], data: new Float32Array(5 * 64) },
    ]);
    const r = await vfmc("eval", "--knn", SPEC, "--weights", other, ...LIMITS);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error VFM40\d\d/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  // a t10k file has no held-out sibling: the check needs a single-file source (Debian's dataset-fashion-mnist)
  const t10k = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  requires(existsSync(t10k), "Debian's dataset-fashion-mnist").it(
    "needs a held-out split or --eval-data",
    async () => {
      const images = t10k;
      const r = await vfmc(
        "eval",
        "--knn",
        "examples/fmnist-franca.vfm",
        "--data",
        `idx:${images}`,
        ...LIMITS,
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain("error VFM6209");
    },
  );

  it("--levels: k-NN per Matryoshka level (16/32/64 channels), the full width equal to plain --knn", async () => {
    const args = [SPEC, "--weights", ckpt, ...LIMITS, "--k", "5,20", "--json"];
    const r = await vfmc("eval", "--levels", ...args);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { levels: { width: number; results: EvalJson["results"] }[] };
    expect(j.levels.map((l) => l.width)).toEqual([16, 32, 64]);
    for (const l of j.levels) expect(l.results.map((x) => x.k)).toEqual([5, 20]);
    const plain = JSON.parse((await vfmc("eval", "--knn", ...args)).out) as EvalJson;
    expect(j.levels[2]!.results).toEqual(plain.results);
    const text = await vfmc("eval", "--levels", SPEC, "--weights", ckpt, ...LIMITS, "--k", "20");
    expect(text.out).toMatch(
      /kNN per Matryoshka level .*\n\s+dims\s+k=20 top-1\n\s+16\s+[\d.]+%\n\s+32 .*\n\s+64 /,
    );
  });

  it("--linear --retrieval: a linear probe and retrieval mAP in one run", async () => {
    const probe = ["--probe-lr", "0.01,0.1", "--probe-epochs", "3"];
    const r = await vfmc(
      "eval",
      "--linear",
      "--retrieval",
      SPEC,
      "--weights",
      ckpt,
      ...LIMITS,
      ...probe,
      "--json",
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as {
      results?: unknown;
      linear: {
        candidates: { lr: number }[];
        train: number;
        val: number;
        test: number;
        testTop1: number;
        testTop5: number;
        dim: number;
      };
      retrieval: { map: number; precisionAt1: number; queries: number; gallery: number; dim: number };
    };
    expect(j.results).toBeUndefined(); // no --knn
    expect(j.linear.candidates.map((c) => c.lr)).toEqual([0.01, 0.1]);
    expect(j.linear.train + j.linear.val).toBe(200);
    expect(j.linear.test).toBe(50);
    expect(j.linear.dim).toBe(64);
    expect(j.linear.testTop5).toBeGreaterThanOrEqual(j.linear.testTop1);
    expect(j.retrieval).toMatchObject({ gallery: 200, dim: 64 });
    expect(j.retrieval.queries).toBeLessThanOrEqual(50);
    expect(j.retrieval.map).toBeGreaterThan(0);
    expect(j.retrieval.map).toBeLessThanOrEqual(1);
    const text = await vfmc("eval", "--linear", "--retrieval", SPEC, "--weights", ckpt, ...LIMITS, ...probe);
    expect(text.out).toMatch(/^linear probe: test top-1 [\d.]+%/);
    expect(text.out).toMatch(/\nretrieval: mAP [\d.]+%, precision@1 [\d.]+% \(\d+ queries, gallery 200\)/);
  });

  it("rejects --levels on a model without nested heads", async () => {
    const flat = join(root, "flat.vfm");
    writeFileSync(
      flat,
      readFileSync(SPEC, "utf8").replace("model franca_tiny", "model flat_tiny").replaceAll("nested 3, ", ""),
    );
    const r = await vfmc("eval", "--levels", flat, ...LIMITS);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain("error VFM6303");
  });

  it("rejects a missing protocol, bad k and a missing file", async () => {
    expect((await vfmc("eval", SPEC)).err).toMatch(
      /needs a protocol: --knn, --levels, --linear or --retrieval/,
    );
    expect((await vfmc("eval", "--linear", SPEC, "--probe-lr", "0,x")).err).toMatch(
      /--probe-lr 0,x: expected positive numbers/,
    );
    expect((await vfmc("eval", "--knn", SPEC, "--k", "a")).err).toMatch(/--k a: expected positive integers/);
    expect((await vfmc("eval", "--knn", SPEC, "--weights", join(root, "none.safetensors"))).err).toMatch(
      /error VFM6001/,
    );
  });

  it("has --help with the protocol and examples", async () => {
    const r = await vfmc("eval", "--help");
    for (const s of [
      "--knn",
      "--levels",
      "--linear",
      "--retrieval",
      "--probe-lr",
      "--weights",
      "--data",
      "--eval-data",
      "--k",
      "--temperature",
      "--json",
      "Examples:",
    ])
      expect(r.out).toContain(s);
  });
});
