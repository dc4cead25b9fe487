// Dead-code elimination: drops nodes no graph output depends on (and, by rebuild, constants nothing uses).
// Graph inputs and parameters stay: they are the graph's signature.
import type { Graph, Node, Value } from "../ir.js";
import type { GraphBuilder } from "../builder.js";
import { rebuild } from "./rebuild.js";

export function dce(graph: Graph): GraphBuilder {
  const live = new Set<Value>(graph.outputs.map((o) => o.value));
  const keep = new Set<Node>();
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    if (n.outputs.some((y) => live.has(y))) {
      keep.add(n);
      n.inputs.forEach((x) => live.add(x));
    }
  }
  return rebuild(graph, undefined, (n) => keep.has(n));
}
