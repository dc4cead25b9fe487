// The public face of src/graph for src/lower and tools: build, differentiate, optimise, print, emit.
export { GraphBuilder, type Operand } from "./builder.js";
export {
  Graph,
  Value,
  type Dtype,
  type Dim,
  type Shape,
  type Node,
  type TensorData,
  isFloat,
  typeString,
} from "./ir.js";
export { ShapeError } from "./errors.js";
export { grad } from "./autodiff.js";
export { toOnnx, type EmitOptions } from "./emit.js";
export { optimize, PASSES } from "./passes/pipeline.js";
export { printGraph } from "./print.js";
export { summarize, formatSummary, type GraphSummary } from "./summary.js";
export { OPS } from "./ops/index.js";
export { linear } from "./composite/linear.js";
export { attention, scaledDotProductAttention, splitHeads, mergeHeads } from "./composite/attention.js";
export { l2Normalize, weightNorm } from "./composite/normalize.js";
export { gelu, silu } from "./composite/activations.js";
