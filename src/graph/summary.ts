// A graph summary that fits on a screen (golden `*.summary.txt` files): I/O signature, parameter count and bytes,
// node count and op histogram. Deterministic: ops sorted by name, inputs/outputs in declaration order.
import type { Graph } from "./ir.js";
import { typeString } from "./ir.js";
import { size } from "./shape.js";
import { DTYPE_BYTES } from "../onnx/model.js";

export interface GraphSummary {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly parameters: { readonly tensors: number; readonly values: number; readonly bytes: number };
  readonly nodes: number;
  readonly ops: Readonly<Record<string, number>>;
}

export function summarize(graph: Graph): GraphSummary {
  const ops: Record<string, number> = {};
  for (const n of [...graph.nodes].sort((a, b) =>
    a.op.name < b.op.name ? -1 : a.op.name > b.op.name ? 1 : 0,
  ))
    ops[n.op.name] = (ops[n.op.name] ?? 0) + 1;
  let values = 0;
  let bytes = 0;
  for (const p of graph.params) {
    const n = size(p.shape);
    values += n;
    bytes += n * DTYPE_BYTES[p.dtype];
  }
  return {
    name: graph.name,
    inputs: graph.inputs.map((v) => `${v.name}: ${typeString(v)}`),
    outputs: graph.outputs.map((o) => `${o.name}: ${typeString(o.value)}`),
    parameters: { tensors: graph.params.length, values, bytes },
    nodes: graph.nodes.length,
    ops,
  };
}

export function formatSummary(s: GraphSummary): string {
  const lines = [
    `graph ${s.name}`,
    "inputs:",
    ...s.inputs.map((i) => `  ${i}`),
    "outputs:",
    ...s.outputs.map((o) => `  ${o}`),
    `parameters: ${s.parameters.tensors} tensors, ${s.parameters.values} values, ${s.parameters.bytes} bytes`,
    `nodes: ${s.nodes}`,
    "ops:",
    ...Object.entries(s.ops).map(([op, n]) => `  ${op} ${n}`),
  ];
  return lines.join("\n") + "\n";
}
