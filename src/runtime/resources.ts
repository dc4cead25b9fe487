// Bounded resources: a request that cannot fit in this machine's memory is a diagnostic before anything is
// allocated (`--batch 100000000` used to print nothing while memory grew until the kernel killed vfmc). The need
// comes from the cost model (lower/cost.ts, what `vfmc info` prints), the supply from memory.ts.
import { inferBytesPerImage } from "../ir/cost.js";
import { costs } from "../lower/cost.js";
import type { ModelIR } from "../ir/model.js";
import { checkFits, machineMemoryBytes } from "./memory.js";

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

/** Compiling holds the initial weights and their encoded copy while it writes them. */
export function checkCompileFits(ir: ModelIR, have = machineMemoryBytes()): void {
  checkFits(
    `compiling ${ir.name} (${costs(ir).params.total.toExponential(2)} parameters)`,
    2 * 4 * costs(ir).params.total,
    "the model is larger than this machine can hold: check backbone.dim, depth and the heads' sizes",
    have,
  );
}
