// A graph summary that fits on a screen (golden `*.summary.txt` files): I/O signature, parameter count and bytes,
// node count and op histogram. Deterministic: ops sorted by name, inputs/outputs in declaration order. It reads
// shapes only, never tensor data, so summarising a graph whose parameters carry no data (ViT-g) costs nothing.
// A caller that knows what the inputs and outputs are for passes their roles: each line then names its role,
// roles in `grouped` (a training step's thousands of parameter, teacher and moment tensors) shrink to one line
// per role, and inputs with a role in `parameterRoles` count as parameters.
import type { Graph, Value } from "./ir.js";
import { typeString } from "./ir.js";
import { size } from "./shape.js";
import { DTYPE_BYTES } from "../onnx/model.js";

export interface SummaryOptions {
  /** the opset the graph is emitted with */
  readonly opset?: number;
  /** role of a graph input or output, by name */
  readonly roles?: (name: string, io: "input" | "output") => string | undefined;
  /** roles whose entries are summed up in one line */
  readonly grouped?: readonly string[];
  /** roles of graph inputs that are parameters (graphs that take their parameters as inputs) */
  readonly parameterRoles?: readonly string[];
}

export interface GraphSummary {
  readonly name: string;
  readonly opset?: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly parameters: { readonly tensors: number; readonly values: number; readonly bytes: number };
  readonly nodes: number;
  readonly ops: Readonly<Record<string, number>>;
}

/** Lines of an I/O list: `name: type role`, grouped roles as `role ×n: v values (first … last)`. */
function ioLines(
  entries: readonly { name: string; value: Value }[],
  io: "input" | "output",
  opts: SummaryOptions,
): string[] {
  const grouped = new Set(opts.grouped ?? []);
  const groups = new Map<
    string,
    { count: number; values: number; first: string; last: string; line: number }
  >();
  const lines: string[] = [];
  for (const { name, value } of entries) {
    const role = opts.roles?.(name, io);
    if (role !== undefined && grouped.has(role)) {
      let grp = groups.get(role);
      if (!grp) {
        groups.set(role, (grp = { count: 0, values: 0, first: name, last: name, line: lines.length }));
        lines.push(""); // filled in below, at the place of the role's first entry
      }
      grp.count++;
      grp.values += size(value.shape);
      grp.last = name;
      continue;
    }
    lines.push(`${name}: ${typeString(value)}${role ? ` ${role}` : ""}`);
  }
  for (const [role, grp] of groups)
    lines[grp.line] =
      `${role} ×${grp.count}: ${grp.values} values` +
      (grp.count > 1 ? ` (${grp.first} … ${grp.last})` : ` (${grp.first})`);
  return lines;
}

export function summarize(graph: Graph, opts: SummaryOptions = {}): GraphSummary {
  const ops: Record<string, number> = {};
  for (const n of [...graph.nodes].sort((a, b) =>
    a.op.name < b.op.name ? -1 : a.op.name > b.op.name ? 1 : 0,
  ))
    ops[n.op.name] = (ops[n.op.name] ?? 0) + 1;
  const paramRoles = new Set(opts.parameterRoles ?? []);
  const parameters = [
    ...graph.params,
    ...graph.inputs.filter((v) => paramRoles.has(opts.roles?.(v.name!, "input") ?? "")),
  ];
  let values = 0;
  let bytes = 0;
  for (const p of parameters) {
    const n = size(p.shape);
    values += n;
    bytes += n * DTYPE_BYTES[p.dtype];
  }
  return {
    name: graph.name,
    ...(opts.opset !== undefined ? { opset: opts.opset } : {}),
    inputs: ioLines(
      graph.inputs.map((v) => ({ name: v.name!, value: v })),
      "input",
      opts,
    ),
    outputs: ioLines(
      graph.outputs.map((o) => ({ name: o.name, value: o.value })),
      "output",
      opts,
    ),
    parameters: { tensors: parameters.length, values, bytes },
    nodes: graph.nodes.length,
    ops,
  };
}

export function formatSummary(s: GraphSummary): string {
  const lines = [
    `graph ${s.name}`,
    ...(s.opset !== undefined ? [`opset: ${s.opset}`] : []),
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
