// Passes never mutate a graph: they replay it into a fresh builder, letting a rewrite replace nodes. Replaying
// re-runs every shape rule, so a rewrite that breaks types fails at once. Constants are re-created only where
// used, and (small ones) deduplicated by contents.
import type { Graph, Node, Value } from "../ir.js";
import { GraphBuilder } from "../builder.js";

/** Returns replacement values for the node's outputs, or undefined to keep the node as it is. */
export type Rewrite = (node: Node, inputs: Value[], g: GraphBuilder) => Value[] | undefined;

const DEDUPE_LIMIT = 1024;

export function rebuild(
  src: Graph,
  rewrite?: Rewrite,
  keep: (n: Node) => boolean = () => true,
): GraphBuilder {
  const g = new GraphBuilder(src.name);
  const map = new Map<Value, Value>();
  for (const v of src.inputs)
    map.set(
      v,
      g.withSource(v.source, () => g.input(v.name!, v.dtype, v.shape)),
    );
  for (const v of src.params)
    map.set(
      v,
      g.withSource(v.source, () => g.param(v.name!, v.shape, v.data, v.dtype)),
    );
  const byContents = new Map<string, Value>();
  const get = (v: Value): Value => {
    const m = map.get(v);
    if (m) return m;
    if (v.kind !== "constant") throw new Error(`rebuild: ${String(v)} used before it is defined`);
    const key =
      v.data!.length <= DEDUPE_LIMIT
        ? `${v.dtype}[${v.shape.join(",")}]${Array.from(v.data!, String).join(",")}`
        : undefined;
    let c = key ? byContents.get(key) : undefined;
    if (!c) {
      c = g.withSource(v.source, () => g.constant(v.data!, v.dtype, v.shape));
      if (key) byContents.set(key, c);
    }
    map.set(v, c);
    return c;
  };
  for (const n of src.nodes) {
    if (!keep(n)) continue;
    const ins = n.inputs.map(get);
    const outs = g.withSource(n.source, () => rewrite?.(n, ins, g) ?? g.apply(n.op, ins, n.attrs));
    n.outputs.forEach((y, i) => map.set(y, outs[i]!));
  }
  for (const o of src.outputs) g.output(o.name, get(o.value));
  return g;
}
