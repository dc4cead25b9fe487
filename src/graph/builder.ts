// The graph builder: one method per op that reads like math (`g.matmul(x, w)`, `g.softmax(s, -1)`). Each method
// looks up its op definition, runs the op's shape rule (a ShapeError names the op, both shapes and the current
// spec source) and records the node. Numbers passed where a tensor is expected become scalar constants of the
// other operand's dtype, so `g.mul(x, 0.5)` works for any float dtype.
import { Graph, Value } from "./ir.js";
import type { Dim, Dtype, Shape, TensorData } from "./ir.js";
import type { Attrs, OpDef } from "./op.js";
import * as ops from "./ops/index.js";
import { ShapeError } from "./errors.js";
import { dimDivide, dimProduct, normalizeAxis, size } from "./shape.js";
import { toTensorData } from "./tensor-data.js";
import { assert } from "../diagnostics/diagnostic.js";
import { gelu, silu } from "./composite/activations.js";

export type Operand = Value | number;

export class GraphBuilder extends Graph {
  private filledConstants = new Map<string, Value>();

  // ---- leaves ----------------------------------------------------------------------------------------------

  input(name: string, dtype: Dtype, shape: Shape): Value {
    this.assertFreshName(name);
    const v = this.newValue("input", { dtype, shape }, name);
    this.inputs.push(v);
    return v;
  }

  private assertFreshName(name: string): void {
    const taken = [...this.inputs, ...this.params].some((v) => v.name === name);
    assert(!taken, `the name ${name} is already a graph input or parameter`);
  }

  /** A parameter (state-dict name). With data it is emitted as an initializer, without as a graph input. */
  param(name: string, shape: Shape, data?: TensorData, dtype: Dtype = "float32"): Value {
    this.assertFreshName(name);
    if (data)
      assert(
        data.length === size(shape),
        `parameter ${name}: ${data.length} values for shape [${shape.join(",")}]`,
      );
    const v = this.newValue("param", { dtype, shape }, name, data);
    this.params.push(v);
    return v;
  }

  /** A constant from a number (scalar), a flat list (1-D) or typed data with an explicit shape. */
  constant(values: number | readonly number[] | TensorData, dtype: Dtype = "float32", shape?: Shape): Value {
    const list = typeof values === "number" ? [values] : values;
    const data = ArrayBuffer.isView(list)
      ? (list as TensorData)
      : toTensorData(dtype, list as readonly number[]);
    const s = shape ?? (typeof values === "number" ? [] : [data.length]);
    assert(data.length === size(s), `constant: ${data.length} values for shape [${s.join(",")}]`);
    const v = this.newValue("constant", { dtype, shape: s }, undefined, data);
    this.constants.push(v);
    return v;
  }

  /** A scalar constant, shared per dtype and value. */
  scalar(value: number, dtype: Dtype): Value {
    return this.filled(value, dtype, []);
  }

  /** A constant of one repeated value, shared per dtype, value and static shape. */
  filled(value: number, dtype: Dtype, shape: readonly number[]): Value {
    const key = `${dtype}:${Object.is(value, -0) ? "-0" : value}:${shape.join(",")}`;
    let v = this.filledConstants.get(key);
    if (!v) {
      v = this.constant(new Array<number>(size(shape)).fill(value), dtype, shape);
      this.filledConstants.set(key, v);
    }
    return v;
  }

  output(name: string, value: Value): Value {
    this.own(value);
    assert(!this.outputs.some((o) => o.name === name), `duplicate graph output ${name}`);
    this.outputs.push({ name, value });
    return value;
  }

  // ---- the generic step ------------------------------------------------------------------------------------

  /** Applies a registered op; every builder method ends here. */
  apply(op: OpDef<any>, inputs: readonly Value[], attrs: Attrs = {}): Value[] {
    inputs.forEach((v) => this.own(v));
    let types;
    try {
      types = op.infer(inputs, attrs);
    } catch (e) {
      if (e instanceof ShapeError && !e.op) throw new ShapeError(e.detail, op.name, inputs, this.source);
      throw e;
    }
    return [...this.addNode(op, inputs, attrs, types).outputs];
  }

  private one(op: OpDef<any>, inputs: readonly Value[], attrs: Attrs = {}): Value {
    return this.apply(op, inputs, attrs)[0]!;
  }

  private own(v: Value): void {
    assert(v instanceof Value && v.graph === this, `value ${String(v)} belongs to another graph`);
  }

  private lift(a: Operand, b: Operand): [Value, Value] {
    if (typeof a === "number" && typeof b === "number")
      throw new ShapeError("at least one operand must be a tensor");
    const av = typeof a === "number" ? this.scalar(a, (b as Value).dtype) : a;
    const bv = typeof b === "number" ? this.scalar(b, av.dtype) : b;
    return [av, bv];
  }

  private binary(op: OpDef<any>, a: Operand, b: Operand): Value {
    return this.one(op, this.lift(a, b));
  }

  // ---- elementwise -----------------------------------------------------------------------------------------

  add = (a: Operand, b: Operand): Value => this.binary(ops.Add, a, b);
  sub = (a: Operand, b: Operand): Value => this.binary(ops.Sub, a, b);
  mul = (a: Operand, b: Operand): Value => this.binary(ops.Mul, a, b);
  div = (a: Operand, b: Operand): Value => this.binary(ops.Div, a, b);
  pow = (a: Operand, b: Operand): Value => this.binary(ops.Pow, a, b);
  max = (a: Operand, b: Operand): Value => this.binary(ops.Max, a, b);
  min = (a: Operand, b: Operand): Value => this.binary(ops.Min, a, b);
  less = (a: Operand, b: Operand): Value => this.binary(ops.Less, a, b);
  greater = (a: Operand, b: Operand): Value => this.binary(ops.Greater, a, b);
  equal = (a: Operand, b: Operand): Value => this.binary(ops.Equal, a, b);
  and = (a: Value, b: Value): Value => this.one(ops.And, [a, b]);
  or = (a: Value, b: Value): Value => this.one(ops.Or, [a, b]);
  not = (x: Value): Value => this.one(ops.Not, [x]);
  neg = (x: Value): Value => this.one(ops.Neg, [x]);
  sqrt = (x: Value): Value => this.one(ops.Sqrt, [x]);
  exp = (x: Value): Value => this.one(ops.Exp, [x]);
  log = (x: Value): Value => this.one(ops.Log, [x]);
  erf = (x: Value): Value => this.one(ops.Erf, [x]);
  tanh = (x: Value): Value => this.one(ops.Tanh, [x]);
  sigmoid = (x: Value): Value => this.one(ops.Sigmoid, [x]);
  abs = (x: Value): Value => this.one(ops.Abs, [x]);
  sign = (x: Value): Value => this.one(ops.Sign, [x]);
  relu = (x: Value): Value => this.one(ops.Relu, [x]);
  /** exact (erf) GELU, built from opset-17 ops */
  gelu = (x: Value): Value => gelu(this, x);
  silu = (x: Value): Value => silu(this, x);
  cast = (x: Value, to: Dtype): Value => (x.dtype === to ? x : this.one(ops.Cast, [x], { to }));
  identity = (x: Value): Value => this.one(ops.Identity, [x]);
  /** the value unchanged, but no cotangent flows back through it (teacher targets, centers) */
  stopGradient = (x: Value): Value => this.one(ops.Identity, [x], { stop_gradient: true });

  where(cond: Value, a: Operand, b: Operand): Value {
    const [av, bv] = this.lift(a, b);
    return this.one(ops.Where, [cond, av, bv]);
  }

  // ---- linear algebra and normalisation --------------------------------------------------------------------

  matmul = (a: Value, b: Value): Value => this.one(ops.MatMul, [a, b]);
  softmax = (x: Value, axis = -1): Value => this.one(ops.Softmax, [x], { axis });
  logSoftmax = (x: Value, axis = -1): Value => this.one(ops.LogSoftmax, [x], { axis });

  /** LayerNormalization-17 over axes [axis, rank); without a bias, a zero bias constant is used. */
  layerNorm(x: Value, scale: Value, bias?: Value, axis = -1, epsilon = 1e-5): Value {
    const b = bias ?? this.constant(new Array<number>(size(scale.shape)).fill(0), scale.dtype, scale.shape);
    return this.one(ops.LayerNormalization, [x, scale, b], { axis, epsilon });
  }

  // ---- reductions ------------------------------------------------------------------------------------------

  reduceSum = (x: Value, axes: readonly number[], keepdims = false): Value =>
    this.one(ops.ReduceSum, [x], { axes, keepdims });
  reduceMean = (x: Value, axes: readonly number[], keepdims = false): Value =>
    this.one(ops.ReduceMean, [x], { axes, keepdims });
  reduceMax = (x: Value, axes: readonly number[], keepdims = false): Value =>
    this.one(ops.ReduceMax, [x], { axes, keepdims });
  reduceL2 = (x: Value, axes: readonly number[], keepdims = false): Value =>
    this.one(ops.ReduceL2, [x], { axes, keepdims });
  argmax = (x: Value, axis: number, keepdims = false): Value => this.one(ops.ArgMax, [x], { axis, keepdims });

  // ---- shapes and indexing ---------------------------------------------------------------------------------

  /** Reshape; one entry may be -1 (inferred). Symbolic dims ("N") pass through. */
  reshape(x: Value, shape: readonly Dim[]): Value {
    const known = shape.filter((d) => d !== -1);
    let target = shape;
    if (known.length < shape.length) {
      const rest = dimDivide(dimProduct(x.shape), dimProduct(known));
      if (rest === undefined || shape.length - known.length > 1)
        throw new ShapeError(`cannot infer -1 in [${shape.join(",")}]`, "Reshape", [x], this.source);
      target = shape.map((d) => (d === -1 ? rest : d));
    }
    return this.one(ops.Reshape, [x], { shape: target });
  }

  /** Inserts a size-1 axis at `axis` (of the result). */
  unsqueeze(x: Value, axis: number): Value {
    const a = axis < 0 ? axis + x.rank + 1 : axis;
    return this.reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
  }

  /** Removes size-1 axes. */
  squeeze(x: Value, axes: readonly number[]): Value {
    const ax = axes.map((a) => normalizeAxis(a, x.rank));
    return this.reshape(
      x,
      x.shape.filter((_, i) => !ax.includes(i)),
    );
  }

  /**
   * Transpose; the default reverses the axes. An identity permutation returns `x` itself, and so does undoing the
   * Transpose that produced `x` (its input is returned).
   */
  transpose(x: Value, perm?: readonly number[]): Value {
    const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
    if (p.every((a, i) => a === i) && p.length === x.rank) return x;
    const before =
      x.producer?.op.name === "Transpose" ? (x.producer.attrs["perm"] as readonly number[]) : undefined;
    if (before && p.every((a, i) => before[a] === i)) return x.producer!.inputs[0]!;
    return this.one(ops.Transpose, [x], { perm: p });
  }

  concat = (xs: readonly Value[], axis: number): Value =>
    xs.length === 1 ? xs[0]! : this.one(ops.Concat, xs, { axis });
  split = (x: Value, sizes: readonly number[], axis: number): Value[] =>
    this.apply(ops.Split, [x], { axis, sizes });

  slice(
    x: Value,
    starts: readonly number[],
    ends: readonly number[],
    axes?: readonly number[],
    steps?: readonly number[],
  ): Value {
    const ax = axes ?? starts.map((_, i) => i);
    return this.one(ops.Slice, [x], { starts, ends, axes: ax, steps: steps ?? ax.map(() => 1) });
  }

  pad = (x: Value, pads: readonly number[], value = 0): Value => this.one(ops.Pad, [x], { pads, value });
  expand = (x: Value, shape: readonly Dim[]): Value => this.one(ops.Expand, [x], { shape });
  gather = (x: Value, indices: Value, axis = 0): Value => this.one(ops.Gather, [x, indices], { axis });
  gatherElements = (x: Value, indices: Value, axis: number): Value =>
    this.one(ops.GatherElements, [x, indices], { axis });
  gatherND = (x: Value, indices: Value): Value => this.one(ops.GatherND, [x, indices]);
  scatterND = (data: Value, indices: Value, updates: Value, reduction: "none" | "add" = "none"): Value =>
    this.one(ops.ScatterND, [data, indices, updates], { reduction });
  scatterElements = (
    data: Value,
    indices: Value,
    updates: Value,
    axis: number,
    reduction: "none" | "add" = "none",
  ): Value => this.one(ops.ScatterElements, [data, indices, updates], { axis, reduction });

  /** A tensor filled with `value` (static shape), emitted as ConstantOfShape. */
  full = (shape: readonly number[], dtype: Dtype, value: number): Value =>
    this.one(ops.ConstantOfShape, [], { shape, dtype, value });
  zeros = (shape: Shape, dtype: Dtype): Value => this.full(shape as number[], dtype, 0);
}
