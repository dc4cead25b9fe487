// The teacher's exponential moving average (reference §6): after the optimiser step, for every student parameter
// (heads, LayerScale gammas, mask_token, weight_g/v included) θ_T ← m·θ_T + (1 − m)·θ_S, with θ_S the *updated*
// student. Loss centers are buffers and are not averaged.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";

/** momentum: the schedule's scalar input */
export function emaUpdate(g: GraphBuilder, teacher: Value, student: Value, momentum: Value): Value {
  return g.add(g.mul(teacher, momentum), g.mul(student, g.sub(1, momentum)));
}
