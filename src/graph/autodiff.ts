// Reverse-mode autodiff on the graph IR: `grad` appends the gradient nodes to the same graph.
// The walk goes over nodes in reverse creation order (a topological order). Only nodes on a path from `wrt` to the
// loss are visited; an absent cotangent is a symbolic zero and creates no node. Contributions to one value are
// summed in the creation order of the nodes that made them, so the emitted graph is deterministic. Each VJP's
// result is checked against its input's shape and dtype: a mismatch is a vfmc bug, reported with op and shapes.
import type { Node, Value } from "./ir.js";
import { isFloat, typeString } from "./ir.js";
import type { GraphBuilder } from "./builder.js";
import { sameShape } from "./shape.js";
import { InternalError, assert } from "../diagnostics/diagnostic.js";

/** Gradients of the scalar `loss` with respect to each of `wrt` (a zero tensor where the loss does not depend on it). */
export function grad(g: GraphBuilder, loss: Value, wrt: readonly Value[]): Value[] {
  assert(
    loss.graph === g && loss.shape.length === 0,
    `grad needs a scalar loss of this graph, got ${String(loss)}`,
  );
  assert(isFloat(loss.dtype), `grad needs a float loss, got ${loss.dtype}`);
  const nodes = g.nodes.slice(); // the walk must not see the gradient nodes it creates

  // Forward: values that depend on some `wrt` through float paths.
  const depends = new Set<Value>(wrt.filter((v) => isFloat(v.dtype)));
  for (const n of nodes)
    if (n.inputs.some((v) => depends.has(v))) for (const y of n.outputs) if (isFloat(y.dtype)) depends.add(y);

  // Backward: values the loss depends on.
  const reaches = new Set<Value>([loss]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (n.outputs.some((y) => reaches.has(y))) for (const x of n.inputs) reaches.add(x);
  }

  // Cotangent contributions per value, tagged with the id of the node that made them (the loss seed gets -1).
  const parts = new Map<Value, { order: number; v: Value }[]>();
  const contribute = (v: Value, ct: Value, order: number): void => {
    const list = parts.get(v);
    if (list) list.push({ order, v: ct });
    else parts.set(v, [{ order, v: ct }]);
  };
  const total = new Map<Value, Value>();
  const cotangent = (v: Value): Value | undefined => {
    if (total.has(v)) return total.get(v);
    const list = parts.get(v);
    if (!list) return undefined;
    list.sort((a, b) => a.order - b.order);
    const sum = list.slice(1).reduce((acc, p) => g.add(acc, p.v), list[0]!.v);
    total.set(v, sum);
    return sum;
  };

  contribute(loss, g.scalar(1, loss.dtype), -1);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    const needs = node.inputs.map((x) => depends.has(x) && reaches.has(x));
    if (!needs.some(Boolean)) continue;
    const dys = node.outputs.map((y) => cotangent(y));
    if (dys.every((d) => d === undefined)) continue;
    const vjp = node.op.vjp;
    if (vjp === "nondifferentiable") continue;
    let zero: Value | undefined;
    const out0 = node.outputs[0]!;
    const dxs = g.withSource(node.source, () =>
      vjp(g, {
        x: node.inputs,
        y: node.outputs,
        dys,
        // a zero block only if a multi-output VJP asks for the first output's missing cotangent
        get dy() {
          return dys[0] ?? (zero ??= g.zeros(out0.shape, out0.dtype));
        },
        attrs: node.attrs,
        needs,
      }),
    );
    node.inputs.forEach((x, k) => {
      const dx = dxs[k];
      if (!needs[k] || dx === undefined) return;
      checkCotangent(node, k, x, dx);
      contribute(x, dx, node.id);
    });
  }

  return wrt.map((w) => cotangent(w) ?? g.zeros(w.shape, w.dtype));
}

function checkCotangent(node: Node, k: number, x: Value, dx: Value): void {
  if (dx.dtype !== x.dtype || !sameShape(dx.shape, x.shape))
    throw new InternalError(
      `VJP of ${node.op.name} returned ${typeString(dx)} for input ${k} of type ${typeString(x)}`,
    );
}
