// Several steps per onnxruntime call (the steps graph, lower/train-steps.ts) must train exactly as one step per
// call: the same losses at every step and the same final state, bit for bit, whatever way the run is cut into
// calls — including calls cut short by a checkpoint boundary.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/io.js";
import { readSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import { ort } from "../../src/runtime/session.js";
import { metricAt, stackFeeds, stepsForCall } from "../../src/runtime/trainer/steps-call.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-steps-");

async function train(name: string, extra: string[]) {
  const out = join(root, name);
  let err = "";
  const io: Io = { out: () => undefined, err: (t) => void (err += t + "\n") };
  const args = ["run", "--train", "examples/franca-tiny.vfm", "--steps", "9", "--batch", "4"];
  const code = await main(
    [...args, "--threads", "1", "--data-workers", "0", "--no-knn", "--json", "--out", out, ...extra],
    io,
  );
  expect(code, err).toBe(0);
  const lines = readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number>);
  const { tensors } = await readSafetensors(join(out, "checkpoint.safetensors"));
  return { lines, tensors };
}

describe("steps per call", () => {
  it(
    "4 steps per call (cut at the checkpoint every 5) trains bit-identically to 1",
    { timeout: 300_000 },
    async () => {
      const one = await train("one", ["--steps-per-call", "1", "--checkpoint-every", "5"]);
      const four = await train("four", ["--steps-per-call", "4", "--checkpoint-every", "5"]);
      expect(four.lines.map((l) => l["step"])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (const key of ["loss", "loss_dino", "loss_ibot", "loss_koleo", "grad_norm", "lr"])
        expect(
          four.lines.map((l) => l[key]),
          key,
        ).toEqual(one.lines.map((l) => l[key]));
      expect([...four.tensors.keys()].sort()).toEqual([...one.tensors.keys()].sort());
      const differing = [...one.tensors].filter(([k, t]) => {
        const u = four.tensors.get(k)!;
        return Buffer.compare(Buffer.from(t.data.buffer), Buffer.from(u.data.buffer)) !== 0;
      });
      expect(differing.map(([k]) => k)).toEqual([]);
    },
  );

  it("sizes calls: fixed counts stop at boundaries; auto starts with one step and aims at ~15 s", () => {
    expect(stepsForCall({ fixed: 4, totalSteps: 9 }, 0, 5, undefined)).toBe(4);
    expect(stepsForCall({ fixed: 4, totalSteps: 9 }, 4, 5, 0.1)).toBe(1);
    expect(stepsForCall({ totalSteps: 10_000 }, 0, 10_000, undefined)).toBe(1);
    expect(stepsForCall({ totalSteps: 10_000 }, 1, 10_000, 5)).toBe(3);
    expect(stepsForCall({ totalSteps: 10_000 }, 1, 10_000, 0.01)).toBe(64);
    expect(stepsForCall({ totalSteps: 200 }, 1, 200, 0.01)).toBe(10); // ≥ 20 calls per run
    expect(stepsForCall({ totalSteps: 10_000 }, 1, 10_000, 60)).toBe(1);
  });

  it("stacks per-step feeds along a leading axis and reads stacked metrics back", () => {
    const step = (k: number) => ({
      x: new ort.Tensor("float32", Float32Array.of(k, k + 0.5), [2]),
      s: new ort.Tensor("int64", BigInt64Array.of(BigInt(k)), []),
    });
    const stacked = stackFeeds([step(1), step(2), step(3)]);
    expect(stacked["x"]!.dims).toEqual([3, 2]);
    expect([...(stacked["x"]!.data as Float32Array)]).toEqual([1, 1.5, 2, 2.5, 3, 3.5]);
    expect(stacked["s"]!.dims).toEqual([3]);
    expect([...(stacked["s"]!.data as BigInt64Array)]).toEqual([1n, 2n, 3n]);
    expect(metricAt(new ort.Tensor("float32", Float32Array.of(7, 8), [2]), 1)).toBe(8);
    expect(metricAt(new ort.Tensor("float32", Float32Array.of(7), []), 0)).toBe(7);
  });
});
