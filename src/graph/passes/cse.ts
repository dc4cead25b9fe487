// Common-subexpression elimination: a node with the same op, attributes and (already deduplicated) inputs as an
// earlier one reuses its outputs. Every registered op is a pure function of its inputs, so this is always safe.
import type { Graph, Value } from "../ir.js";
import type { GraphBuilder } from "../builder.js";
import { rebuild } from "./rebuild.js";

export function cse(graph: Graph): GraphBuilder {
  const seen = new Map<string, Value[]>();
  return rebuild(graph, (n, ins, g) => {
    const key = `${n.op.name}(${ins.map((v) => v.id).join(",")})${JSON.stringify(n.attrs, Object.keys(n.attrs).sort())}`;
    const prior = seen.get(key);
    if (prior) return prior;
    const outs = g.apply(n.op, ins, n.attrs);
    seen.set(key, outs);
    return outs;
  });
}
