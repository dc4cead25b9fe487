// Centering teacher targets (reference §3.2): t = softmax((z − c)/τ_t) with the center of the previous steps, and
// the next center c ← m·c + (1 − m)·mean_rows(z) returned as a state output (the reference's lazy update: the
// center used at step s includes batches up to s − 1). Centers are buffers: no gradient, no EMA.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";

/** The manifest's words for a centre input and its next-step output. */
export const CENTER_DOC = "centering state (§3.2), zeros at start";
export const NEXT_CENTER_DOC = "centering state for the next step";

/** logits [B, K], center [1, K] → targets [B, K] */
export function centeredTargets(g: GraphBuilder, logits: Value, center: Value, teacherTemp: Value): Value {
  return g.softmax(g.div(g.sub(g.stopGradient(logits), center), teacherTemp), -1);
}

export interface CenterRows {
  /** [B] 1/0 weights of the rows that count (iBOT: the n_masked valid buffer rows); default all rows */
  readonly valid?: Value;
  /** the number of counted rows as a float scalar; default the row count */
  readonly count?: Value;
}

/** center [1, K], logits [B, K] → m·c + (1 − m)·Σ rows / count */
export function nextCenter(
  g: GraphBuilder,
  center: Value,
  logits: Value,
  momentum: number,
  rows: CenterRows = {},
): Value {
  const z = g.stopGradient(logits);
  const kept = rows.valid ? g.mul(z, g.unsqueeze(rows.valid, 1)) : z;
  const mean = g.div(g.reduceSum(kept, [0], true), rows.count ?? (z.shape[0] as number));
  return g.add(g.mul(center, momentum), g.mul(mean, 1 - momentum));
}
