// MAE's per-sample random masking (He et al. 2022, §3; facebookresearch/mae models_mae.py `random_masking`): each
// image's patches in a uniformly random order, of which the step graph keeps the first ⌊P·(1 − ratio)⌋ visible and
// removes the rest. The reference draws the order as argsort(uniform noise); a uniformly random permutation is the
// same distribution, drawn here on the host so the graph stays deterministic (it takes the order as an input).
import { Rng } from "../rng.js";

/** `[images, patches]` row-major: row b is image b's patches in the order the encoder keeps them. */
export function patchOrders(images: number, patches: number, seed: number, step: number): Int32Array {
  const out = new Int32Array(images * patches);
  for (let b = 0; b < images; b++)
    out.set(Rng.derive(seed, "patch_order", step, b).permutation(patches), b * patches);
  return out;
}

/** Patches the encoder sees per image: Python's int(P · (1 − ratio)), as the reference computes len_keep. */
export function visiblePatches(patches: number, ratio: number): number {
  return Math.trunc(patches * (1 - ratio));
}
