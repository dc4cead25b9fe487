// One step's data → the train graph's `batch` inputs, by name (the contract's batch inputs, train-step.ts):
// crops from multi-crop, masks and the iBOT gather buffers from the mask collator, and the stochastic-depth scales,
// drawn here because the graph takes its randomness as inputs (reference §12.27).
import { InternalError } from "../../diagnostics/diagnostic.js";
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

function fitted(name: string, data: Float32Array | Uint8Array, shape: readonly (number | string)[]): void {
  if (data.length !== numelOf(shape))
    throw new InternalError(`batch input ${name}: ${data.length} values for shape [${shape.join(", ")}]`);
}

/** Feeds for every batch input of the plan; `unsupported` names an input nobody produces. */
export function batchFeeds(
  inputs: readonly IoEntry[],
  batch: StepBatch,
  dropPath: DropPathOptions | undefined,
  unsupported: (input: IoEntry) => Error,
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  const dims = (e: IoEntry): number[] => e.shape.map((d) => (typeof d === "number" ? d : NaN));
  for (const e of inputs) {
    const m = batch.masks;
    switch (e.name) {
      case "global_crops":
      case "local_crops": {
        const data = e.name === "global_crops" ? batch.crops.global : batch.crops.local;
        fitted(e.name, data, e.shape);
        feeds[e.name] = new ort.Tensor("float32", data, dims(e));
        break;
      }
      case "masks":
        if (!m) throw unsupported(e);
        fitted(e.name, m.masks, e.shape);
        feeds[e.name] = new ort.Tensor("bool", m.masks, dims(e));
        break;
      case "mask_indices": {
        if (!m) throw unsupported(e);
        const idx = padded(m.maskIndices, numelOf(e.shape), e.name);
        feeds[e.name] = new ort.Tensor(
          "int64",
          BigInt64Array.from(idx, (x) => BigInt(x)),
          dims(e),
        );
        break;
      }
      case "mask_weights":
        if (!m) throw unsupported(e);
        feeds[e.name] = new ort.Tensor("float32", padded(m.maskWeights, numelOf(e.shape), e.name), dims(e));
        break;
      case "n_masked":
        if (!m) throw unsupported(e);
        feeds[e.name] = new ort.Tensor("int64", BigInt64Array.of(BigInt(m.nMasked)), []);
        break;
      case "drop_path_global":
      case "drop_path_local": {
        const [depth, two, n] = dims(e);
        if (!dropPath || two !== 2 || !depth || !n) throw unsupported(e);
        const rng = Rng.derive(dropPath.seed, "drop_path", batch.step, e.name);
        feeds[e.name] = new ort.Tensor("float32", dropPathScales(depth, n, dropPath.rate, rng), dims(e));
        break;
      }
      default:
        throw unsupported(e);
    }
  }
  return feeds;
}
