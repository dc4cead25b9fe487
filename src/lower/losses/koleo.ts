// KoLeo regulariser on one global-crop chunk of student CLS tokens (reference §3.5, §12.19), with PyTorch's eps
// placements: x̂ = x / max(‖x‖, 1e-8); nn(i) = argmax_{j≠i} ⟨x̂_i, x̂_j⟩ with the diagonal set to −1;
// d_i = ‖x̂_i − x̂_nn(i) + 1e-8‖ (PairwiseDistance adds eps to the difference); L = −mean log(d_i + 1e-8).
// The neighbour choice carries no gradient; the gathered neighbour row does, as torch's indexing does.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { l2Normalize } from "../heads/dino.js";

export const KOLEO_EPS = 1e-8;

/** x [B, D] → scalar */
export function koleoLoss(g: GraphBuilder, x: Value): Value {
  const b = x.shape[0] as number;
  const xn = l2Normalize(g, x, KOLEO_EPS);
  const eye = new Uint8Array(b * b);
  for (let i = 0; i < b; i++) eye[i * b + i] = 1;
  const dots = g.where(g.constant(eye, "bool", [b, b]), -1, g.matmul(xn, g.transpose(xn, [1, 0])));
  const neighbour = g.gather(xn, g.argmax(dots, 1), 0);
  const diff = g.add(g.sub(xn, neighbour), KOLEO_EPS);
  const dist = g.sqrt(g.reduceSum(g.mul(diff, diff), [1]));
  return g.neg(g.reduceMean(g.log(g.add(dist, KOLEO_EPS)), [0]));
}
