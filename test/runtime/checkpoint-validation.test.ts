// A checkpoint that cannot continue this run is refused with a diagnostic before anything is used or overwritten:
// another run (spec, options, seed or data), a truncated file, wrong shapes or dtypes, a missing tensor, a file that
// is not a vfmc training checkpoint.
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointPath, loadCheckpoint } from "../../src/runtime/checkpoint/checkpoint.js";
import {
  readSafetensors,
  writeSafetensors,
  type TensorToWrite,
} from "../../src/runtime/checkpoint/safetensors.js";
import type { TrainJob } from "../../src/runtime/trainer/job.js";
import { trainLoop } from "../../src/runtime/trainer/loop.js";
import { trainPlan } from "../../src/runtime/trainer/plan.js";
import { toyJob } from "./trainer-toy.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-ckpt-");

const quiet = { emit: () => undefined, stopRequested: () => undefined };
let good: TrainJob;
let goodBytes: Buffer;

beforeAll(async () => {
  good = toyJob(join(root, "good"), { steps: 2 });
  await trainLoop(good, quiet);
  goodBytes = readFileSync(checkpointPath(good.outDir));
});

/** A run folder holding `bytes` as its checkpoint; resuming it must fail with `code` and leave the file alone. */
async function expectRefused(
  name: string,
  bytes: Buffer,
  code: string,
  over: Partial<TrainJob> = {},
): Promise<string> {
  const job = toyJob(join(root, name), { steps: 4 }, { resume: true, ...over });
  writeFileSync(checkpointPath(job.outDir), bytes);
  let message = "";
  await expect(
    trainLoop(job, quiet).catch((e: { diagnostics?: { code: string; message: string }[] }) => {
      message = e.diagnostics?.map((d) => d.message).join("\n") ?? String(e);
      throw e;
    }),
  ).rejects.toMatchObject({ diagnostics: expect.arrayContaining([expect.objectContaining({ code })]) });
  expect(readFileSync(checkpointPath(job.outDir)).equals(bytes)).toBe(true);
  return message;
}

async function rewritten(edit: (t: TensorToWrite[], md: Record<string, string>) => void): Promise<Buffer> {
  const path = join(root, `edited-${Math.random().toString(36).slice(2)}.safetensors`);
  const { tensors, metadata } = await readSafetensors(checkpointPath(good.outDir));
  const list: TensorToWrite[] = [...tensors].map(([name, t]) => ({
    name,
    dtype: t.dtype,
    shape: t.shape,
    data: t.data,
  }));
  const md = { ...metadata };
  edit(list, md);
  await writeSafetensors(path, list, md);
  return readFileSync(path);
}

describe("resuming from a checkpoint", () => {
  it("continues a matching checkpoint", async () => {
    const job = toyJob(join(root, "ok"), { steps: 4 }, { resume: true });
    copyFileSync(checkpointPath(good.outDir), checkpointPath(job.outDir));
    const s = await trainLoop(job, quiet);
    expect(s).toMatchObject({ startStep: 2, endStep: 4 });
  });

  it("refuses a checkpoint of another run and says what differs", async () => {
    const other = { ...good.identity, runHash: "different", seed: 7 };
    const msg = await expectRefused("other", goodBytes, "VFM6203", { identity: other });
    expect(msg).toContain("run hash toyhash, this run different");
    expect(msg).toContain("seed 0, not 7");
    const otherData = await expectRefused("other-data", goodBytes, "VFM6203", {
      identity: { ...good.identity, data: "idx:/x" },
    });
    expect(otherData).toContain("data synthetic:0, not idx:/x");
  });

  it("refuses a truncated file", async () => {
    const path = join(root, "cut.safetensors");
    writeFileSync(path, goodBytes);
    truncateSync(path, goodBytes.length - 10);
    await expectRefused("truncated", readFileSync(path), "VFM6002");
  });

  it("refuses wrong shapes and dtypes, naming the tensor and both shapes", async () => {
    const bytes = await rewritten((list) => {
      const i = list.findIndex((t) => t.name === "dino_loss.center");
      list[i] = { name: "dino_loss.center", dtype: "F32", shape: [2, 1], data: new Float32Array(2) };
      const j = list.findIndex((t) => t.name === "step");
      list[j] = { name: "step", dtype: "I32", shape: [], data: new Int32Array(1) };
    });
    const msg = await expectRefused("shapes", bytes, "VFM6204");
    expect(msg).toContain("tensor 'dino_loss.center' is F32[2, 1], this model needs F32[1, 2]");
    expect(msg).toContain("tensor 'step' is I32[], this model needs I64[]");
  });

  it("refuses a checkpoint missing a state tensor", async () => {
    const bytes = await rewritten((list) =>
      list.splice(
        list.findIndex((t) => t.name === "optimizer.exp_avg_sq.pos_embed"),
        1,
      ),
    );
    await expectRefused("missing", bytes, "VFM6005");
  });

  it("refuses safetensors files that are not training checkpoints", async () => {
    const bytes = await rewritten((_, md) => {
      for (const k of Object.keys(md)) delete md[k];
    });
    const msg = await expectRefused("foreign", bytes, "VFM6205");
    expect(msg).toContain("it has no vfmc metadata");
  });

  it("validates every tensor before reading any (loadCheckpoint reports all problems at once)", async () => {
    const bytes = await rewritten((list) => {
      for (const t of list)
        if (t.name.startsWith("optimizer."))
          Object.assign(t, { shape: [65, 64], data: new Float32Array(65 * 64) });
    });
    const path = join(root, "two-bad.safetensors");
    writeFileSync(path, bytes);
    const plan = trainPlan(good.manifest);
    const err = await loadCheckpoint(path, plan, () => "backbone", good.identity).catch(
      (e: { diagnostics: { code: string }[] }) => e,
    );
    expect((err as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code)).toEqual([
      "VFM6204",
      "VFM6204",
    ]);
  });
});
