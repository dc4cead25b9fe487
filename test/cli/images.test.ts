// The user's own images end to end, as the README's "Train on your own images" walks through it: a folder of JPEGs
// in class sub-folders (train/ + val/), `vfmc run --train` on it (a bad file among them is skipped, named and
// listed), `vfmc eval --knn` on the checkpoint, `vfmc viz pca` of a photo of another size, `vfmc run --weights` to
// continue from the checkpoint, and the diagnostics of a flat folder, --strict-data and an unlabelled evaluation.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointMetadata } from "../../src/runtime/checkpoint/checkpoint.js";
import { decodePng } from "../../src/runtime/image/png.js";
import { vfmc } from "../harness/cli.js";
import { encoded, writeJpegFolder } from "../harness/images.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-images-");
const SPEC = "examples/franca-tiny.vfm";
const photos = join(root, "photos");
const out = join(root, "run");
const ckpt = join(out, "checkpoint.safetensors");
const FAST = ["--batch", "4", "--threads", "1", "--data-workers", "0"];
/** `vfmc run --train SPEC --data DATA` with small, fast settings, then ARGS. */
const train = (data: string, ...args: string[]) =>
  vfmc("run", "--train", SPEC, "--data", data, ...FAST, ...args);

let first: { code: number; out: string; err: string };
beforeAll(async () => {
  await writeJpegFolder(join(photos, "train"), 3, 6, 40);
  await writeJpegFolder(join(photos, "val"), 3, 3, 40, 5);
  writeFileSync(join(photos, "train", "class2", "broken.jpg"), "a text file with a picture's name");
  first = await train(photos, "--steps", "5", "--out", out, "--json");
}, 300_000);

interface RunSummary {
  steps: number;
  skippedFiles: number;
  knn: { randomInit: { results: { top1: number }[] } | null; trained: { step: number } | null };
}

describe("training on a folder of JPEGs", () => {
  it("trains, evaluates k-NN on train/ against val/, and skips the bad file with a warning", () => {
    expect(first.code, first.err).toBe(0);
    const s = JSON.parse(first.out) as RunSummary;
    expect(s.steps).toBe(5);
    expect(s.knn.randomInit!.results[0]!.top1).toBeGreaterThanOrEqual(0);
    expect(s.knn.trained!.step).toBe(5);
    expect(s.skippedFiles).toBe(1);
    expect(first.err).toMatch(/warning VFM6402: skipped .*broken\.jpg: not an image vfmc reads/);
    expect(readFileSync(join(out, "skipped-files.txt"), "utf8")).toMatch(/broken\.jpg\tnot an image/);
    const steps = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { step: number; knn?: unknown; skipped_files?: number })
      .filter((l) => l.knn === undefined);
    expect(steps.at(-1)!.skipped_files).toBe(1);
    expect(existsSync(ckpt)).toBe(true);
  });

  it("vfmc eval --knn reads the same folder: bank train/, queries val/", { timeout: 120_000 }, async () => {
    const r = await vfmc("eval", "--knn", SPEC, "--weights", ckpt, "--data", photos, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { bank: number; queries: number; results: { top1: number }[] };
    expect([j.bank, j.queries]).toEqual([18, 9]); // the broken file is left out of the bank
    expect(j.results[0]!.top1).toBeGreaterThanOrEqual(0);
    expect(r.err).toMatch(/warning VFM6418: left out .*broken\.jpg/);
  });

  it(
    "vfmc viz pca draws a JPEG of any size at the model's resolution beside its map",
    { timeout: 60_000 },
    async () => {
      const w = 300;
      const h = 200;
      const px = new Uint8Array(w * h * 3).map((_, i) => (i % 3 === 0 ? (i / 3) % w : 90));
      const photo = join(root, "wide.jpg");
      writeFileSync(photo, await encoded(px, w, h, 3, "jpeg"));
      const png = join(root, "pca.png");
      const r = await vfmc("viz", "pca", SPEC, "--weights", ckpt, "--image", photo, "-o", png, "--json");
      expect(r.code, r.err).toBe(0);
      const pic = decodePng(readFileSync(png));
      const scale = Math.ceil(256 / 32);
      expect([pic.width, pic.height]).toEqual([2 * 32 * scale + 4, 32 * scale]);
    },
  );

  it(
    "vfmc run --weights continues from the checkpoint, its heads included",
    { timeout: 300_000 },
    async () => {
      const r = await train(
        photos,
        "--steps",
        "2",
        "--weights",
        ckpt,
        "--no-knn",
        "--out",
        join(root, "continued"),
        "--json",
      );
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(
        /info VFM6417: .*student and teacher start from its backbone; dino_head and ibot_head from the checkpoint/,
      );
    },
  );
});

describe("what cannot be evaluated or read", () => {
  const flat = join(root, "flat");

  it(
    "a flat folder trains without k-NN (a warning); --strict-data stops at the bad file, the run saved",
    { timeout: 300_000 },
    async () => {
      mkdirSync(flat);
      const imgs = await writeJpegFolder(join(root, "for-flat"), 2, 4, 40);
      for (const [i, f] of imgs.entries()) writeFileSync(join(flat, `${i}.jpg`), readFileSync(f));
      writeFileSync(join(flat, "zz-empty.jpg"), "");
      const run = join(root, "strict");
      const r = await train(flat, "--steps", "6", "--checkpoint-every", "1", "--strict-data", "--out", run);
      expect(r.err).toMatch(/warning VFM6414: no k-NN evaluation: .*flat has no labels/);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(/error VFM6403: cannot use image .*zz-empty\.jpg: the file is empty/);
      const done = readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").filter(Boolean).length;
      if (done > 0)
        expect((await checkpointMetadata(join(run, "checkpoint.safetensors"))).step).toBe(String(done));
    },
  );

  it(
    "vfmc eval on a flat folder, or on one class only, says it needs labels / classes",
    { timeout: 60_000 },
    async () => {
      const r = await vfmc("eval", "--knn", SPEC, "--data", flat, "--eval-data", flat);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/error VFM6404: .*flat has no labels, and k-NN needs labelled images/);
      const one = join(root, "one");
      await writeJpegFolder(one, 1, 3, 32);
      const o = await vfmc("eval", "--linear", SPEC, "--data", one, "--eval-data", one);
      expect(o.code).toBe(1);
      expect(o.err).toMatch(
        /error VFM6405: .*one class only \(class0\), and the linear probe needs at least two/,
      );
    },
  );
});
