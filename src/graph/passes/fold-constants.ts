// Constant folding for small results: a node whose inputs are all constants and whose outputs hold at most
// FOLD_LIMIT elements is evaluated with the op's reference `eval` and replaced by constants. Large results
// (and ConstantOfShape, which exists to keep big fills out of the initializers) are left to onnxruntime.
import type { Graph } from "../ir.js";
import type { GraphBuilder } from "../builder.js";
import { rebuild } from "./rebuild.js";
import { isStatic, size } from "../shape.js";
import { fromTensorData } from "../tensor-data.js";

export const FOLD_LIMIT = 64;

export function foldConstants(graph: Graph): GraphBuilder {
  return rebuild(graph, (n, ins, g) => {
    if (n.op.name === "ConstantOfShape" || ins.some((v) => v.kind !== "constant" || v.dtype === "float16"))
      return undefined;
    if (n.outputs.some((y) => !isStatic(y.shape) || size(y.shape) > FOLD_LIMIT || y.dtype === "float16"))
      return undefined;
    const host = ins.map((v) => ({
      dtype: v.dtype,
      shape: v.shape as number[],
      data: fromTensorData(v.dtype, v.data!),
    }));
    const outs = n.op.eval(host, n.attrs);
    return outs.map((o, i) => g.constant(o.data, n.outputs[i]!.dtype, n.outputs[i]!.shape));
  });
}
