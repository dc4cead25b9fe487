// One step's data → the step graph's `batch` inputs. Every batch input of the training contract (BATCH in
// lower/contract.ts) has one producer here: crops from multi-crop, the student masks and the iBOT gather buffers from
// the mask collator, the stochastic-depth scales drawn here because the graph takes its randomness as inputs
// (reference §12.27). Which of them a graph takes is its manifest's business: the loop feeds exactly the batch inputs
// the plan lists, so a new loss term that needs new data adds its producer to this table.
import { InternalError } from "../../diagnostics/diagnostic.js";
import { BATCH, type BatchInput } from "../../lower/contract.js";
import type { IoEntry } from "../../lower/manifest.js";
import type { StepBatch } from "../augment/batch-job.js";
import { Rng } from "../rng.js";
import { ort } from "../session.js";
import { numelOf } from "./plan.js";

export interface DropPathOptions {
  /** per-block rate (DINOv2 configs use the same rate in every block) */
  readonly rate: number;
  readonly seed: number;
}

/**
 * DINOv2's batch-subset drop path: per block, branch and crop set, a random subset of ⌊N·(1 − rate)⌋ samples (at
 * least one) keeps its residual, scaled by N/subset; the others get 0. Shape [depth, 2, N].
 */
export function dropPathScales(depth: number, n: number, rate: number, rng: Rng): Float32Array {
  const out = new Float32Array(depth * 2 * n);
  const keep = Math.max(1, Math.floor(n * (1 - rate)));
  const scale = n / keep;
  for (let row = 0; row < depth * 2; row++) {
    const perm = rng.permutation(n);
    for (let k = 0; k < keep; k++) out[row * n + perm[k]!] = scale;
  }
  return out;
}

function padded<T extends Int32Array | Float32Array>(src: T, length: number, name: string): T {
  if (src.length > length)
    throw new InternalError(`${name}: ${src.length} entries, the graph takes ${length}`);
  if (src.length === length) return src;
  const out = new (src.constructor as new (n: number) => T)(length);
  out.set(src);
  return out;
}

function fitted<T extends { length: number }>(e: IoEntry, data: T): T {
  if (data.length !== numelOf(e.shape))
    throw new InternalError(`batch input ${e.name}: ${data.length} values for shape [${e.shape.join(", ")}]`);
  return data;
}

const dims = (e: IoEntry): number[] => e.shape.map((d) => (typeof d === "number" ? d : NaN));

/** A producer: the tensor for input `e`, or undefined when this batch has nothing for it. */
type Feed = (e: IoEntry, batch: StepBatch, dropPath: DropPathOptions | undefined) => ort.Tensor | undefined;

const dropPathFeed: Feed = (e, batch, dropPath) => {
  const [depth, two, n] = dims(e);
  if (!dropPath || two !== 2 || !depth || !n) return undefined;
  const rng = Rng.derive(dropPath.seed, "drop_path", batch.step, e.name);
  return new ort.Tensor("float32", dropPathScales(depth, n, dropPath.rate, rng), dims(e));
};

const FEEDS: Readonly<Record<BatchInput, Feed>> = {
  [BATCH.globalCrops]: (e, b) => new ort.Tensor("float32", fitted(e, b.crops.global), dims(e)),
  [BATCH.localCrops]: (e, b) => new ort.Tensor("float32", fitted(e, b.crops.local), dims(e)),
  [BATCH.masks]: (e, b) => b.masks && new ort.Tensor("bool", fitted(e, b.masks.masks), dims(e)),
  [BATCH.maskIndices]: (e, b) =>
    b.masks &&
    new ort.Tensor(
      "int64",
      BigInt64Array.from(padded(b.masks.maskIndices, numelOf(e.shape), e.name), (x) => BigInt(x)),
      dims(e),
    ),
  [BATCH.maskWeights]: (e, b) =>
    b.masks && new ort.Tensor("float32", padded(b.masks.maskWeights, numelOf(e.shape), e.name), dims(e)),
  [BATCH.nMasked]: (_e, b) =>
    b.masks && new ort.Tensor("int64", BigInt64Array.of(BigInt(b.masks.nMasked)), []),
  [BATCH.patchOrder]: (e, b) =>
    b.patchOrder &&
    new ort.Tensor(
      "int64",
      BigInt64Array.from(fitted(e, b.patchOrder), (x) => BigInt(x)),
      dims(e),
    ),
  [BATCH.dropPathGlobal]: dropPathFeed,
  [BATCH.dropPathLocal]: dropPathFeed,
};

/** Feeds for every batch input of the plan; `unsupported` names an input nobody produces. */
export function batchFeeds(
  inputs: readonly IoEntry[],
  batch: StepBatch,
  dropPath: DropPathOptions | undefined,
  unsupported: (input: IoEntry) => Error,
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const e of inputs) {
    const feed = Object.hasOwn(FEEDS, e.name) ? FEEDS[e.name as BatchInput] : undefined;
    const t = feed?.(e, batch, dropPath);
    if (!t) throw unsupported(e);
    feeds[e.name] = t;
  }
  return feeds;
}
