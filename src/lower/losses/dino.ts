// The DINO CLS loss of one head level (reference §3.3, §12.15). Student views never meet their own teacher view:
// local crop chunks are compared with both teacher global chunks (2·n_loc terms, each a mean over B rows), the
// global crops [s1; s2] with the swapped targets [t2; t1] (a mean over 2B rows, × 2). Both parts are divided by the
// number of terms, n_glob(n_glob − 1) + max(n_glob·n_loc, 1) = 2 + 2·n_loc (3 when there are no local crops).
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { softCrossEntropy } from "./cross-entropy.js";

export interface DinoLossParts {
  readonly local: Value;
  readonly global: Value;
}

export function dinoLossTerms(localCrops: number): number {
  return 2 + Math.max(2 * localCrops, 1);
}

/**
 * studentGlobal [2B, K] (crop-major), studentLocal [n_loc·B, K] or null, swappedTargets [2B, K] = targets of
 * [teacher crop 2; teacher crop 1].
 */
export function dinoLoss(
  g: GraphBuilder,
  studentGlobal: Value,
  studentLocal: Value | null,
  swappedTargets: Value,
  localCrops: number,
  studentTemp: number,
): DinoLossParts {
  const [twoB, k] = swappedTargets.shape as [number, number];
  const b = twoB / 2;
  const terms = dinoLossTerms(localCrops);
  const global = g.div(
    g.mul(g.reduceMean(softCrossEntropy(g, swappedTargets, studentGlobal, studentTemp), [0]), 2),
    terms,
  );
  if (!studentLocal || localCrops === 0) return { local: g.scalar(0, "float32"), global };
  // Σ over local chunks v and teacher chunks t of mean_b H(t, s_v): H is linear in t, so the two teacher chunks are
  // summed once, [B, K], and broadcast against the [n_loc, B, K] local logits.
  const [t1, t2] = g.split(swappedTargets, [b, b], 0) as [Value, Value];
  const local = g.reshape(studentLocal, [localCrops, b, k]);
  const h = softCrossEntropy(g, g.unsqueeze(g.add(t1, t2), 0), local, studentTemp); // [n_loc, B]
  return { local: g.div(g.div(g.reduceSum(h, [0, 1]), b), terms), global };
}
