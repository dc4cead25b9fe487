// torch.optim.AdamW, one step, amsgrad off (reference §7.2). Per parameter, with t the step count after increment:
//   θ ← θ·(1 − lr·wd)                       decoupled decay first, on the old parameter
//   m ← m + (1 − β1)(g − m)                  (torch's lerp_ form of β1·m + (1 − β1)·g)
//   v ← β2·v + (1 − β2)·g²
//   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)     eps outside the square root
// The bias corrections are computed in float64 and rounded once: torch forms them in Python doubles, and
// 1 − 0.999^t in float32 would be off by ~1e-5 relative at t = 1.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { ParamRates } from "./layer-decay.js";

export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

export interface BiasCorrection {
  /** 1 − β1^t */
  readonly first: Value;
  /** √(1 − β2^t) */
  readonly secondSqrt: Value;
}

/** t: the 1-based step count (int64 or float scalar) */
export function biasCorrection(g: GraphBuilder, t: Value, c: AdamWConfig): BiasCorrection {
  const t64 = g.cast(t, "float64");
  const one = (beta: number): Value => g.sub(1, g.pow(g.scalar(beta, "float64"), t64));
  return {
    first: g.cast(one(c.beta1), "float32"),
    secondSqrt: g.cast(g.sqrt(one(c.beta2)), "float32"),
  };
}

export interface AdamWResult {
  readonly param: Value;
  readonly m: Value;
  readonly v: Value;
}

export function adamwStep(
  g: GraphBuilder,
  param: Value,
  grad: Value,
  m: Value,
  v: Value,
  rates: ParamRates,
  bc: BiasCorrection,
  c: AdamWConfig,
): AdamWResult {
  const decayed = g.mul(param, g.sub(1, g.mul(rates.lr, rates.wd)));
  const m2 = g.add(m, g.mul(g.sub(grad, m), 1 - c.beta1));
  const v2 = g.add(g.mul(v, c.beta2), g.mul(g.mul(grad, grad), 1 - c.beta2));
  const denom = g.add(g.div(g.sqrt(v2), bc.secondSqrt), c.eps);
  const stepSize = g.div(rates.lr, bc.first);
  return { param: g.sub(decayed, g.mul(stepSize, g.div(m2, denom))), m: m2, v: v2 };
}
