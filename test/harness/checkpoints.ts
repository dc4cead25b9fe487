// Test harness: comparing what two training runs left behind — their checkpoints tensor by tensor (bit for bit)
// and the loss column of their metrics.jsonl.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkpointPath } from "../../src/runtime/checkpoint/checkpoint.js";
import { readSafetensors } from "../../src/runtime/checkpoint/safetensors.js";

export interface CheckpointDiff {
  readonly a: Awaited<ReturnType<typeof readSafetensors>>;
  readonly b: Awaited<ReturnType<typeof readSafetensors>>;
  /** tensor names of `a` whose bytes differ in `b` (or that `b` lacks) */
  readonly differing: readonly string[];
}

/** The checkpoints of two run folders and the tensors that are not bit-identical. */
export async function compareCheckpoints(dirA: string, dirB: string): Promise<CheckpointDiff> {
  const a = await readSafetensors(checkpointPath(dirA));
  const b = await readSafetensors(checkpointPath(dirB));
  const differing = [...a.tensors]
    .filter(([k, t]) => {
      const u = b.tensors.get(k);
      return !u || !Buffer.from(t.data.buffer).equals(Buffer.from(u.data.buffer));
    })
    .map(([k]) => k);
  return { a, b, differing };
}

/** The `loss` of every step line of a run folder's metrics.jsonl. */
export function lossesOf(dir: string): number[] {
  return readFileSync(join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { loss: number }).loss);
}
