// Canonical SSA text of a graph for golden files and `vfmc info --graph`: nodes in creation (topological) order,
// node results renumbered %0, %1, …, inputs and parameters by name, used constants as %c0, %c1, …; typed values
// (`%3:f32[N,197,768]`); floats in shortest round-trip form (float32 by float32 rounding); LF and a final newline.
import type { Dtype, Graph, Value } from "./ir.js";
import { typeString } from "./ir.js";
import type { AttrValue } from "./op.js";
import { fromTensorData } from "./tensor-data.js";

const SHOWN_CONSTANT_VALUES = 8;

export function formatNumber(v: number, dtype: Dtype): string {
  if (!Number.isFinite(v)) return String(v);
  if (dtype !== "float32" && dtype !== "float16") return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === Math.fround(v)) return String(s);
  }
  return String(v);
}

function formatAttr(v: AttrValue): string {
  if (Array.isArray(v)) return `[${v.join(",")}]`;
  return String(v);
}

export interface PrintOptions {
  /** append each node's spec source as a trailing comment (default true) */
  sources?: boolean;
}

export function printGraph(graph: Graph, opts: PrintOptions = {}): string {
  const sources = opts.sources ?? true;
  const names = new Map<Value, string>();
  let next = 0;
  let nextConst = 0;
  const lines: string[] = [`graph ${graph.name} {`];
  for (const v of graph.inputs) {
    names.set(v, `%${v.name}`);
    lines.push(`  input %${v.name}:${typeString(v)}`);
  }
  for (const v of graph.params) {
    names.set(v, `%${v.name}`);
    lines.push(`  param %${v.name}:${typeString(v)}${v.data ? "" : " (fed)"}`);
  }
  const used = new Set<Value>([
    ...graph.nodes.flatMap((n) => n.inputs),
    ...graph.outputs.map((o) => o.value),
  ]);
  for (const c of graph.constants) {
    if (!used.has(c)) continue;
    const name = `%c${nextConst++}`;
    names.set(c, name);
    const values = fromTensorData(c.dtype, c.data!);
    const shown = values.slice(0, SHOWN_CONSTANT_VALUES).map((x) => formatNumber(x, c.dtype));
    const body =
      c.shape.length === 0 ? shown[0] : `[${shown.join(", ")}${values.length > shown.length ? ", …" : ""}]`;
    lines.push(`  const ${name}:${typeString(c)} = ${body}`);
  }
  for (const n of graph.nodes) {
    const outs = n.outputs.map((y) => {
      const name = `%${next++}`;
      names.set(y, name);
      return `${name}:${typeString(y)}`;
    });
    const keys = Object.keys(n.attrs).sort();
    const attrs = keys.length ? ` {${keys.map((k) => `${k}=${formatAttr(n.attrs[k]!)}`).join(", ")}}` : "";
    const args = n.inputs.map((x) => names.get(x)!).join(", ");
    const src = sources && n.source ? `  // ${n.source}` : "";
    lines.push(`  ${outs.join(", ")} = ${n.op.name}(${args})${attrs}${src}`);
  }
  for (const o of graph.outputs) lines.push(`  output ${o.name} = ${names.get(o.value)}`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
