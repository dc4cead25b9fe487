// The real training-step graphs (examples/franca-tiny.vfm and examples/mae-tiny.vfm, batch 2): stopping after 2 of 4
// steps and resuming ends bit-identical to running the 4 steps at once — student, teacher (Franca), AdamW moments,
// step and metrics — because the state is fed back exactly and every random draw (crops, masks, MAE's patch
// orders) is derived from (seed, step).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Io } from "../../src/cli/io.js";
import { prepareRun, type RunCliOptions } from "../../src/cli/commands/run.js";
import { checkpointPath } from "../../src/runtime/checkpoint/checkpoint.js";
import { readSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import { trainLoop } from "../../src/runtime/trainer/loop.js";
import { clearInputs } from "../../src/files/inputs.js";
import { compareCheckpoints, lossesOf } from "../harness/checkpoints.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-resume-");
const io: Io = { out: () => undefined, err: () => undefined };

function options(out: string): RunCliOptions {
  return {
    train: true,
    steps: "4",
    batch: "2",
    threads: "2",
    dataWorkers: "0",
    device: "cpu",
    out,
    evalEvery: "0",
    knn: false,
    k: "20",
    temperature: "0.07",
    checkpointEvery: "0",
    json: true,
  };
}

async function run(spec: string, out: string, stopAfter?: number, resume = false): Promise<void> {
  clearInputs(); // each call is one command, as main() starts one
  const { job } = await prepareRun(spec, { ...options(out), resume }, io);
  let steps = 0;
  await trainLoop(job, {
    emit: (e) => void (e.type === "step" && steps++),
    stopRequested: () => (stopAfter !== undefined && steps >= stopAfter ? "SIGTERM" : undefined),
  });
}

describe.each([
  ["franca-tiny", 4 * 60],
  ["mae-tiny", 4 * 40],
])("resume on the %s training graph", (name, minTensors) => {
  it("2 steps + resume + 2 steps is bit-identical to 4 steps", { timeout: 300_000 }, async () => {
    const spec = `examples/${name}.vfm`;
    const whole = join(root, name, "whole");
    const split = join(root, name, "split");
    await run(spec, whole);
    await run(spec, split, 2);
    expect((await readSafetensors(checkpointPath(split))).metadata.step).toBe("2");
    await run(spec, split, undefined, true);
    const { a, b, differing } = await compareCheckpoints(whole, split);
    expect([...b.tensors.keys()]).toEqual([...a.tensors.keys()]);
    expect(a.tensors.size).toBeGreaterThan(minTensors);
    expect(differing).toEqual([]);
    expect(lossesOf(split)).toEqual(lossesOf(whole));
    expect(a.metadata.step).toBe("4");
    // the run moved the student away from the teacher's EMA and wrote non-zero moments
    expect(
      Array.from(a.tensors.get("optimizer.exp_avg_sq.blocks.0.attn.qkv.weight")!.data as Float32Array).some(
        (v) => v > 0,
      ),
    ).toBe(true);
  });
});
