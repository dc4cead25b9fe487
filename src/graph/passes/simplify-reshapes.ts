// Removes shape no-ops: a Reshape to the input's own shape, a Reshape of a Reshape (only the last counts), an
// identity Transpose, a Transpose of a Transpose (composed into one), and plain Identity nodes. Identity nodes that
// stop gradients are kept: they still mean something to a later `grad`.
// One product rule: (A·B)ᵀ → Bᵀ·Aᵀ when A or B is itself a transpose that this cancels. It is what a linear layer's
// weight gradient needs: the MatMul VJP gives (xᵀ·dy) for Wᵀ and the Transpose VJP turns it back, a transpose of
// the whole weight-sized result; rewritten, it is dyᵀ·x, whose operand transpose onnxruntime folds into the product.
import type { Graph, Value } from "../ir.js";
import type { GraphBuilder } from "../builder.js";
import { rebuild } from "./rebuild.js";
import { sameShape } from "../shape.js";

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
const swapLastPerm = (rank: number): number[] => {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm.splice(-2, 2, rank - 1, rank - 2);
  return perm;
};
const samePerm = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((p, i) => p === b[i]);

/** v's last two axes swapped, cancelling against a producing swap-last Transpose. */
function swapLast(g: GraphBuilder, v: Value): Value {
  const perm = swapLastPerm(v.rank);
  const p = v.producer;
  if (p?.op.name === "Transpose" && samePerm(p.attrs["perm"] as readonly number[], perm)) return p.inputs[0]!;
  return g.transpose(v, perm);
}

const cancelsSwap = (v: Value): boolean =>
  v.producer?.op.name === "Transpose" &&
  samePerm(v.producer.attrs["perm"] as readonly number[], swapLastPerm(v.rank));

export function simplifyReshapes(graph: Graph): GraphBuilder {
  const uses = new Map<Value, number>();
  for (const n of graph.nodes) for (const v of n.inputs) uses.set(v, (uses.get(v) ?? 0) + 1);
  for (const o of graph.outputs) uses.set(o.value, (uses.get(o.value) ?? 0) + 1);
  return rebuild(graph, (n, [x], g) => {
    if (!x) return undefined;
    switch (n.op.name) {
      case "Identity":
        return n.attrs["stop_gradient"] ? undefined : [x];
      case "Reshape": {
        const src = x.producer?.op.name === "Reshape" ? x.producer.inputs[0]! : x;
        const target = n.outputs[0]!.shape;
        if (sameShape(src.shape, target)) return [src];
        return src === x ? undefined : [g.reshape(src, target)];
      }
      case "Transpose": {
        let perm = n.attrs["perm"] as readonly number[];
        const mm = x.producer;
        if (
          mm?.op.name === "MatMul" &&
          uses.get(n.inputs[0]!) === 1 &&
          samePerm(perm, swapLastPerm(x.rank)) &&
          mm.inputs.some(cancelsSwap)
        )
          return [g.matmul(swapLast(g, mm.inputs[1]!), swapLast(g, mm.inputs[0]!))];
        let src = x;
        if (x.producer?.op.name === "Transpose") {
          const inner = x.producer.attrs["perm"] as readonly number[];
          perm = perm.map((p) => inner[p]!);
          src = x.producer.inputs[0]!;
        }
        if (perm.every((p, i) => p === i)) return [src];
        return src === x ? undefined : [g.transpose(src, perm)];
      }
      default:
        return undefined;
    }
  });
}
