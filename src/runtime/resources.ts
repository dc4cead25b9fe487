// Bounded resources: a request that cannot fit in this machine's memory is a diagnostic before anything is
// allocated (`--batch 100000000` used to print nothing while memory grew until the kernel killed vfmc). The need
// comes from the cost model (ir/cost.ts, what `vfmc info` prints), the supply from the machine: its physical memory,
// or the container's limit (cgroup v2 memory.max, v1 limit_in_bytes) when that is lower.
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { DiagnosticError, makeDiagnostic } from "../diagnostics/diagnostic.js";
import { inferBytesPerImage } from "../ir/cost.js";
import { costs } from "../lower/cost.js";
import type { ModelIR } from "../ir/model.js";

function cgroupLimit(): number | undefined {
  for (const file of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try {
      const n = Number(readFileSync(file, "utf8").trim());
      if (Number.isFinite(n) && n > 0) return n; // "max" (no limit) is NaN
    } catch {
      // no such controller here
    }
  }
  return undefined;
}

/** The memory this process may use at most: physical memory, or a lower container limit. */
export function machineMemoryBytes(): number {
  return Math.min(totalmem(), cgroupLimit() ?? Infinity);
}

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];

/** 3.2 GB, 9.1 PB, 1.0e+24 B: decimal units, three significant figures. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "more than any machine has";
  let u = 0;
  while (n >= 1000 && u < UNITS.length - 1) {
    n /= 1000;
    u++;
  }
  return n >= 1000 ? `${n.toExponential(1)} ${UNITS[u]}` : `${n.toPrecision(3)} ${UNITS[u]}`;
}

/** Throws VFM5011 when `need` bytes exceed what this machine has. */
export function checkFits(what: string, need: number, remedy: string, have = machineMemoryBytes()): void {
  if (need <= have) return;
  throw new DiagnosticError([
    makeDiagnostic("MemoryEstimateTooLarge", undefined, [what, formatBytes(need), formatBytes(have), remedy]),
  ]);
}

/** One training step of `ir` at its batch: weights, gradients, AdamW moments, teacher, and the activations kept. */
export function checkTrainingFits(ir: ModelIR, what: string, have = machineMemoryBytes()): void {
  const { activationBytes, stateBytes } = costs(ir).memory;
  const perImage = activationBytes / ir.train.batch;
  const fits = Math.floor((have - stateBytes) / perImage);
  checkFits(
    what,
    activationBytes + stateBytes,
    fits >= 1
      ? `the estimate (vfmc info) counts the weights, gradients, AdamW state and teacher, and the activations a step keeps for backward; a batch of at most about ${fits} fits`
      : "even the weights and optimiser state do not fit: choose a smaller model",
    have,
  );
}

/** Inference over batches of `batch` images, with `held` more bytes kept alongside (features, tokens). */
export function checkInferenceFits(
  ir: ModelIR,
  batch: number,
  what: string,
  held = 0,
  have = machineMemoryBytes(),
): void {
  const weights = 4 * costs(ir).params.total;
  const perImage = inferBytesPerImage(ir);
  const fits = Math.floor((have - weights - held) / perImage);
  checkFits(
    what,
    weights + held + batch * perImage,
    fits >= 1 ? `lower it: about ${fits} images per batch fit` : "choose a smaller model or fewer images",
    have,
  );
}

/** Compiling writes the initial weights (and holds them, and a copy per graph, while encoding). */
export function checkCompileFits(ir: ModelIR, have = machineMemoryBytes()): void {
  checkFits(
    `compiling ${ir.name} (${costs(ir).params.total.toExponential(2)} parameters)`,
    3 * 4 * costs(ir).params.total,
    "the model is larger than this machine can hold: check backbone.dim, depth and the heads' sizes",
    have,
  );
}
