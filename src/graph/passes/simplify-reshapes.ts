// Removes shape no-ops: a Reshape to the input's own shape, a Reshape of a Reshape (only the last counts), an
// identity Transpose, a Transpose of a Transpose (composed into one), and plain Identity nodes. Identity nodes that
// stop gradients are kept: they still mean something to a later `grad`.
import type { Graph } from "../ir.js";
import type { GraphBuilder } from "../builder.js";
import { rebuild } from "./rebuild.js";
import { sameShape } from "../shape.js";

export function simplifyReshapes(graph: Graph): GraphBuilder {
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
