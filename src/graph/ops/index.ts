// The op registry: a static, frozen list. Adding an op = one file in this folder + one line here; the op table
// test (test/graph/ops.test.ts) then checks its shape rule, forward values and VJP.
import type { OpDef } from "../op.js";
import { Abs } from "./abs.js";
import { Add } from "./add.js";
import { ArgMax } from "./arg-max.js";
import { Cast } from "./cast.js";
import { Concat } from "./concat.js";
import { ConstantOfShape } from "./constant-of-shape.js";
import { Div } from "./div.js";
import { Equal, Greater, Less } from "./comparisons.js";
import { Erf } from "./erf.js";
import { Exp } from "./exp.js";
import { Expand } from "./expand.js";
import { Gather } from "./gather.js";
import { GatherElements } from "./gather-elements.js";
import { GatherND } from "./gather-nd.js";
import { Identity } from "./identity.js";
import { LayerNormalization } from "./layer-normalization.js";
import { Log } from "./log.js";
import { LogSoftmax } from "./log-softmax.js";
import { And, Not, Or } from "./logical.js";
import { MatMul } from "./mat-mul.js";
import { Max } from "./max.js";
import { Min } from "./min.js";
import { Mul } from "./mul.js";
import { Neg } from "./neg.js";
import { Pad } from "./pad.js";
import { Pow } from "./pow.js";
import { ReduceL2 } from "./reduce-l2.js";
import { ReduceMax } from "./reduce-max.js";
import { ReduceMean } from "./reduce-mean.js";
import { ReduceSum } from "./reduce-sum.js";
import { Relu } from "./relu.js";
import { Reshape } from "./reshape.js";
import { ScatterElements } from "./scatter-elements.js";
import { ScatterND } from "./scatter-nd.js";
import { Sigmoid } from "./sigmoid.js";
import { Sign } from "./sign.js";
import { Slice } from "./slice.js";
import { Softmax } from "./softmax.js";
import { Split } from "./split.js";
import { Sqrt } from "./sqrt.js";
import { Sub } from "./sub.js";
import { Tanh } from "./tanh.js";
import { Transpose } from "./transpose.js";
import { Where } from "./where.js";

export {
  Abs,
  Add,
  And,
  ArgMax,
  Cast,
  Concat,
  ConstantOfShape,
  Div,
  Equal,
  Erf,
  Exp,
  Expand,
  Gather,
  GatherElements,
  GatherND,
  Greater,
  Identity,
  LayerNormalization,
  Less,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  Min,
  Mul,
  Neg,
  Not,
  Or,
  Pad,
  Pow,
  ReduceL2,
  ReduceMax,
  ReduceMean,
  ReduceSum,
  Relu,
  Reshape,
  ScatterElements,
  ScatterND,
  Sigmoid,
  Sign,
  Slice,
  Softmax,
  Split,
  Sqrt,
  Sub,
  Tanh,
  Transpose,
  Where,
};

export const OPS: readonly OpDef[] = Object.freeze([
  Abs,
  Add,
  And,
  ArgMax,
  Cast,
  Concat,
  ConstantOfShape,
  Div,
  Equal,
  Erf,
  Exp,
  Expand,
  Gather,
  GatherElements,
  GatherND,
  Greater,
  Identity,
  LayerNormalization,
  Less,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  Min,
  Mul,
  Neg,
  Not,
  Or,
  Pad,
  Pow,
  ReduceL2,
  ReduceMax,
  ReduceMean,
  ReduceSum,
  Relu,
  Reshape,
  ScatterElements,
  ScatterND,
  Sigmoid,
  Sign,
  Slice,
  Softmax,
  Split,
  Sqrt,
  Sub,
  Tanh,
  Transpose,
  Where,
] as OpDef[]);
