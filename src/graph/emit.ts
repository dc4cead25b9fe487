// Graph → plain ONNX model (src/onnx/model.ts types) by asking each op to emit itself. This file only names
// values, collects initializers and wires graph inputs/outputs; what an op becomes in ONNX lives in its op file.
import type { Graph, Node, Value } from "./ir.js";
import type { EmitContext } from "./op.js";
import type { OnnxAttr, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from "../onnx/model.js";
import { DEFAULT_OPSET } from "../onnx/model.js";
import { toTensorData } from "./tensor-data.js";
import type { Dtype } from "./ir.js";

export interface EmitOptions {
  opset?: number;
  name?: string;
  docString?: string;
}

export function toOnnx(graph: Graph, opts: EmitOptions = {}): OnnxModel {
  const opset = opts.opset ?? DEFAULT_OPSET;
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const names = new Map<Value, string>();
  const shared = new Map<string, string>();
  let temps = 0;

  const graphOutputs = new Set(graph.outputs.map((o) => o.value));
  const nodesLive = liveNodes(graph);
  const used = new Set<Value>(nodesLive.flatMap((n) => n.inputs));
  // A node output that is a graph output takes the output's name (the first one, if listed twice).
  for (const o of graph.outputs)
    if (o.value.kind === "node" && !names.has(o.value)) names.set(o.value, o.name);
  const nameOf = (v: Value): string => {
    let n = names.get(v);
    if (n === undefined) {
      n = v.kind === "input" || v.kind === "param" ? v.name! : `_${v.kind === "constant" ? "c" : "v"}${v.id}`;
      names.set(v, n);
    }
    return n;
  };

  const initializer = (
    name: string,
    dtype: Dtype,
    dims: readonly number[],
    data: OnnxTensor["data"],
    doc?: string,
  ): void => {
    initializers.push({ name, dtype, dims, data, ...(doc ? { docString: doc } : {}) });
  };

  let currentDoc: string | undefined;
  const ctx: EmitContext = {
    opset,
    node(opType, inputs, outputs, attrs?: Record<string, OnnxAttr>) {
      nodes.push({
        opType,
        inputs,
        outputs,
        name: `${opType}_${nodes.length}`,
        ...(attrs && Object.keys(attrs).length ? { attrs } : {}),
        ...(currentDoc ? { docString: currentDoc } : {}),
      });
    },
    int64s(values) {
      const key = `i64:${values.join(",")}`;
      let n = shared.get(key);
      if (!n) {
        n = `_k${shared.size}`;
        shared.set(key, n);
        initializer(n, "int64", [values.length], toTensorData("int64", values));
      }
      return n;
    },
    scalar(value, dtype) {
      const key = `${dtype}:${value}`;
      let n = shared.get(key);
      if (!n) {
        n = `_k${shared.size}`;
        shared.set(key, n);
        initializer(n, dtype, [], toTensorData(dtype, [value]));
      }
      return n;
    },
    temp: (hint) => `_t${temps++}_${hint}`,
  };

  const info = (name: string, v: Value): OnnxValueInfo => ({
    name,
    dtype: v.dtype,
    shape: v.shape,
    ...(v.source ? { docString: v.source } : {}),
  });

  const inputs: OnnxValueInfo[] = graph.inputs.map((v) => info(nameOf(v), v));
  for (const p of graph.params) {
    if (p.data) initializer(nameOf(p), p.dtype, p.shape as number[], p.data, p.source);
    else inputs.push(info(nameOf(p), p));
  }
  for (const c of graph.constants)
    if (used.has(c) || graphOutputs.has(c))
      initializer(nameOf(c), c.dtype, c.shape as number[], c.data!, c.source);

  for (const node of nodesLive) {
    currentDoc = node.source;
    let outs = node.outputs.map((v) => nameOf(v));
    const from = node.op.optionalOutputsFrom;
    if (from !== undefined) {
      let keep = outs.length;
      while (keep > from && !used.has(node.outputs[keep - 1]!) && !graphOutputs.has(node.outputs[keep - 1]!))
        keep--;
      outs = outs
        .slice(0, keep)
        .map((n, i) =>
          i >= from && !used.has(node.outputs[i]!) && !graphOutputs.has(node.outputs[i]!) ? "" : n,
        );
    }
    const types = { x: node.inputs, y: node.outputs };
    node.op.emit(ctx, node.inputs.map(nameOf), outs, node.attrs, types);
  }
  currentDoc = undefined;

  // Outputs whose value already carries another name (inputs, params, constants, repeats) get an Identity.
  const outputs: OnnxValueInfo[] = graph.outputs.map(({ name, value }) => {
    if (nameOf(value) !== name) {
      currentDoc = value.source;
      ctx.node("Identity", [nameOf(value)], [name]);
    }
    return info(name, value);
  });
  currentDoc = undefined;

  return {
    graph: { name: opts.name ?? graph.name, nodes, inputs, outputs, initializers },
    opset,
    producerName: "vfmc",
    ...(opts.docString ? { docString: opts.docString } : {}),
  };
}

/**
 * The nodes some graph output depends on, in graph order. Rewrites while building (a transpose cancelling the one
 * before it) can leave a node nobody reads, and onnxruntime would still run it.
 */
function liveNodes(graph: Graph): Node[] {
  const needed = new Set<Value>(graph.outputs.map((o) => o.value));
  const live: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    if (!n.outputs.some((v) => needed.has(v))) continue;
    live.push(n);
    for (const v of n.inputs) needed.add(v);
  }
  return live.reverse();
}
