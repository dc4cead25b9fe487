// The order in which training images are visited: epoch e is a permutation drawn from Rng.derive(seed, "order", e)
// (or the dataset's own epoch order: shards stream through a shuffle buffer), and batch `step` takes positions
// [step·B, step·B + B) of the concatenated epochs. The indices of any batch are a pure function of (seed, dataset,
// B, step): workers need no shared state and a resume needs only the step.
import { InternalError } from "../../diagnostics/diagnostic.js";
import { Rng } from "../rng.js";

export class EpochSampler {
  private cached: { epoch: number; perm: Int32Array }[] = [];

  constructor(
    readonly datasetSize: number,
    readonly batch: number,
    readonly seed: number,
    private readonly epochOrder?: (seed: number, epoch: number) => Int32Array,
  ) {
    if (datasetSize < 1 || batch < 1)
      throw new InternalError(`sampler needs images and a batch (${datasetSize}, ${batch})`);
  }

  indices(step: number): Int32Array {
    const out = new Int32Array(this.batch);
    for (let b = 0; b < this.batch; b++) {
      const position = step * this.batch + b;
      const epoch = Math.floor(position / this.datasetSize);
      out[b] = this.permutation(epoch)[position - epoch * this.datasetSize]!;
    }
    return out;
  }

  epochOf(step: number): number {
    return Math.floor((step * this.batch) / this.datasetSize);
  }

  private permutation(epoch: number): Int32Array {
    const hit = this.cached.find((c) => c.epoch === epoch);
    if (hit) return hit.perm;
    const perm = this.epochOrder
      ? this.epochOrder(this.seed, epoch)
      : Rng.derive(this.seed, "order", epoch).permutation(this.datasetSize);
    if (perm.length !== this.datasetSize)
      throw new InternalError(`epoch order of ${perm.length} images for a dataset of ${this.datasetSize}`);
    this.cached = [...this.cached.slice(-1), { epoch, perm }]; // a batch spans at most two epochs when B ≤ N
    return perm;
  }
}
