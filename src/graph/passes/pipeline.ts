// The standard pass order. Each pass returns a new graph with the same outputs (a pass never changes results;
// test/graph/passes.test.ts checks that on random graphs in onnxruntime).
import type { Graph } from "../ir.js";
import type { GraphBuilder } from "../builder.js";
import { cse } from "./cse.js";
import { dce } from "./dce.js";
import { foldConstants } from "./fold-constants.js";
import { simplifyReshapes } from "./simplify-reshapes.js";

export const PASSES: readonly { name: string; run: (g: Graph) => GraphBuilder }[] = [
  { name: "fold-constants", run: foldConstants },
  { name: "simplify-reshapes", run: simplifyReshapes },
  { name: "cse", run: cse },
  { name: "dce", run: dce },
];

export function optimize(graph: Graph): GraphBuilder {
  let g = graph;
  for (const p of PASSES) g = p.run(g);
  return g as GraphBuilder;
}
