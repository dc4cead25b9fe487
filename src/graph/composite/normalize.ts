// Normalisations built from registered ops: l2Normalize (torch.nn.functional.normalize: x / max(‖x‖, eps)) and
// weightNorm (torch.nn.utils.weight_norm with dim 0: W = g · V / ‖V‖ per output row), used by DINO-style heads.
import type { GraphBuilder } from "../builder.js";
import type { Value } from "../ir.js";

export function l2Normalize(g: GraphBuilder, x: Value, axis = -1, eps = 1e-12): Value {
  return g.div(x, g.max(g.reduceL2(x, [axis], true), eps));
}

/** V [out, …] normalised over every axis but the first, scaled by `gain` [out, 1, …] when given (else 1). */
export function weightNorm(g: GraphBuilder, v: Value, gain?: Value): Value {
  const axes = v.shape.map((_, i) => i).slice(1);
  const unit = g.div(v, g.reduceL2(v, axes, true));
  return gain ? g.mul(unit, gain) : unit;
}
