// The interface both patch-mask samplers implement (block.ts: DINOv2, cyclic.ts: Franca); collate.ts uses it.
import { InternalError } from "../../diagnostics/diagnostic.js";
import type { Rng } from "../rng.js";

export interface MaskGenerator {
  readonly kind: "block" | "cyclic";
  readonly gridH: number;
  readonly gridW: number;
  /**
   * A `[gridH, gridW]` mask, row-major (index = row·gridW + col, row = image y), 1 = masked, aiming at `count`
   * masked patches. The cyclic generator hits `count` exactly; the block generator may mask fewer (§4.2).
   */
  generate(count: number, rng: Rng): Uint8Array;
}

export interface MaskGeneratorOptions {
  readonly gridH: number;
  readonly gridW: number;
  /** smallest rectangle aspect h/w; the largest is its inverse (`min_aspect`, 0.3 in both repos) */
  readonly minAspect?: number;
}

/** The log-aspect interval [log a, log 1/a] both samplers draw rectangle shapes from; a = `minAspect` (0.3). */
export function logAspectRange(
  kind: MaskGenerator["kind"],
  minAspect: number | undefined,
): readonly [number, number] {
  const a = minAspect ?? 0.3;
  if (!(a > 0 && a <= 1)) throw new InternalError(`${kind} mask min aspect ${a} not in (0, 1]`);
  return [Math.log(a), Math.log(1 / a)];
}
