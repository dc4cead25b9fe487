// What an op definition is (one file per op under ops/, listed in ops/index.ts) and the rule combinators that make
// most VJPs one line: `elementwise` for unary ops, `broadcasting` for binary ops (reduction through `unbroadcast`),
// `linear` for ops whose transpose is the gradient, and `nondifferentiable`.
import type { Dtype, Shape, TensorType, Value } from "./ir.js";
import type { GraphBuilder } from "./builder.js";
import type { OnnxAttr } from "../onnx/model.js";
import type { HostArray } from "./host-array.js";
import { mapArray, roundTo, zipArrays } from "./host-array.js";
import { broadcastShapes, unbroadcast } from "./shape.js";
import { shapeFail } from "./errors.js";

export type AttrValue = number | string | boolean | readonly number[] | readonly (number | string)[];
export type Attrs = Readonly<Record<string, AttrValue>>;

/** How an op writes itself into an ONNX graph; implemented by emit.ts. */
export interface EmitContext {
  readonly opset: number;
  /** Appends one ONNX node (default domain). */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs?: Record<string, OnnxAttr>,
  ): void;
  /** A 1-D int64 initializer (axes, shapes, pads), shared between nodes that use the same values. */
  int64s(values: readonly number[]): string;
  /** A scalar initializer of `dtype`. */
  scalar(value: number, dtype: Dtype): string;
  /** A fresh name for an intermediate produced inside one op's emission. */
  temp(hint: string): string;
}

export interface VjpArgs<A extends Attrs> {
  readonly x: readonly Value[];
  readonly y: readonly Value[];
  /** one cotangent per output; undefined = symbolic zero */
  readonly dys: readonly (Value | undefined)[];
  /** cotangent of the first output (the autodiff walk only calls a VJP when some output has one) */
  readonly dy: Value;
  readonly attrs: A;
  /** which inputs need a cotangent; a VJP creates no nodes for the others */
  readonly needs: readonly boolean[];
}

export type Vjp<A extends Attrs> = (g: GraphBuilder, a: VjpArgs<A>) => readonly (Value | undefined)[];

/** One input of a test sample: random floats in [min, max] (default [-1, 1]) unless `data` is given. */
export interface SampleInput {
  readonly shape: readonly number[];
  readonly dtype?: Dtype;
  readonly data?: readonly number[];
  readonly min?: number;
  readonly max?: number;
}

export interface Sample<A extends Attrs> {
  readonly inputs: readonly SampleInput[];
  readonly attrs: A;
  readonly note?: string;
  /** false where the op is differentiable but this sample's form is not (e.g. Slice with steps) */
  readonly grad?: false;
}

export interface IoTypes {
  readonly x: readonly TensorType[];
  readonly y: readonly TensorType[];
}

export const nondifferentiable = "nondifferentiable" as const;

export interface OpDef<A extends Attrs = Attrs> {
  /** = ONNX op_type */
  readonly name: string;
  /** input names; with `variadic` the last one repeats */
  readonly inputs: readonly string[];
  readonly variadic?: boolean;
  /** outputs from this index on are optional in ONNX; emission drops trailing ones nothing uses */
  readonly optionalOutputsFrom?: number;
  infer(x: readonly TensorType[], attrs: A): readonly TensorType[];
  /** writes the ONNX node(s); `types` are the node's inferred input and output types */
  emit(o: EmitContext, inputs: readonly string[], outputs: readonly string[], attrs: A, types: IoTypes): void;
  readonly vjp: Vjp<A> | typeof nondifferentiable;
  readonly samples: readonly Sample<A>[];
  /** plain-TypeScript reference used by the op table test and constant folding */
  eval(x: readonly HostArray[], attrs: A): HostArray[];
}

export function defineOp<A extends Attrs>(def: OpDef<A>): OpDef<A> {
  return Object.freeze(def);
}

/** Unary ops: dx = f(x, y, dy). */
export function elementwise<A extends Attrs>(
  f: (g: GraphBuilder, x: Value, y: Value, dy: Value) => Value,
): Vjp<A> {
  return (g, a) => [a.needs[0] ? f(g, a.x[0]!, a.y[0]!, a.dy) : undefined];
}

export interface BinaryArgs {
  readonly a: Value;
  readonly b: Value;
  readonly y: Value;
  readonly dy: Value;
}

/** Binary broadcasting ops: each rule returns the cotangent at the result's shape; `unbroadcast` reduces it. */
export function broadcasting<A extends Attrs>(
  da: ((g: GraphBuilder, p: BinaryArgs) => Value) | undefined,
  db: ((g: GraphBuilder, p: BinaryArgs) => Value) | undefined,
): Vjp<A> {
  return (g, { x, y, dy, needs }) => {
    const p = { a: x[0]!, b: x[1]!, y: y[0]!, dy };
    return [
      needs[0] && da ? unbroadcast(g, da(g, p), p.a.shape) : undefined,
      needs[1] && db ? unbroadcast(g, db(g, p), p.b.shape) : undefined,
    ];
  };
}

/** Ops linear in their first input (the rest are integer/static): the gradient is the transposed map. */
export function linear<A extends Attrs>(
  transpose: (g: GraphBuilder, dy: Value, x: readonly Value[], attrs: A) => Value,
): Vjp<A> {
  return (g, a) => [a.needs[0] ? transpose(g, a.dy, a.x, a.attrs) : undefined];
}

/** Shape rule for ops whose output has the type of their first input. */
export function sameAs(x: readonly TensorType[]): TensorType[] {
  return [x[0]!];
}

export function typed(dtype: Dtype, shape: Shape): TensorType {
  return { dtype, shape };
}

/** ONNX attribute constructors. */
export const attr = {
  int: (i: number): OnnxAttr => ({ type: "int", i }),
  float: (f: number): OnnxAttr => ({ type: "float", f }),
  ints: (ints: readonly number[]): OnnxAttr => ({ type: "ints", ints }),
  string: (s: string): OnnxAttr => ({ type: "string", s }),
};

const FLOATS: readonly Dtype[] = ["float32", "float16", "float64"];

function requireDtype(name: string, t: TensorType, allowed: readonly Dtype[]): void {
  if (!allowed.includes(t.dtype)) shapeFail(`${name} does not take ${t.dtype} (takes ${allowed.join(", ")})`);
}

/** A unary elementwise op emitted as the ONNX op of the same name. */
export function defineUnary(def: {
  name: string;
  fn: (v: number) => number;
  vjp: Vjp<Attrs> | typeof nondifferentiable;
  dtypes?: readonly Dtype[];
  min?: number;
  max?: number;
}): OpDef<Attrs> {
  const dtypes = def.dtypes ?? FLOATS;
  const range = { min: def.min ?? -1, max: def.max ?? 1, dtype: dtypes[0]! };
  return defineOp<Attrs>({
    name: def.name,
    inputs: ["x"],
    infer: (x) => (requireDtype(def.name, x[0]!, dtypes), sameAs(x)),
    emit: (o, i, out) => o.node(def.name, i, out),
    vjp: def.vjp,
    samples: [
      { inputs: [{ shape: [2, 3], ...range }], attrs: {} },
      { inputs: [{ shape: [], ...range }], attrs: {}, note: "scalar" },
    ],
    eval: ([x]) => [mapArray(x!, (v) => roundTo(x!.dtype, def.fn(v)))],
  });
}

/** Standard broadcasting samples every binary op is tested with. */
export function binarySamples(
  range: { min?: number; max?: number }[] = [{}, {}],
  dtype?: Dtype,
): Sample<Attrs>[] {
  const shapes: [number[], number[]][] = [
    [
      [2, 3],
      [2, 3],
    ],
    [[2, 3], [3]],
    [
      [2, 1, 4],
      [3, 1],
    ],
    [[], [2, 2]],
    [[4, 64, 3], [3]], // a bias over ≥ 256 rows: unbroadcast sums it as a product with ones
  ];
  return shapes.map(([a, b]) => ({
    inputs: [
      { shape: a, dtype, ...range[0] },
      { shape: b, dtype, ...range[1] },
    ],
    attrs: {},
  }));
}

/** A binary broadcasting op with matching input dtypes; `out` overrides the output dtype (comparisons). */
export function defineBinary(def: {
  name: string;
  fn: (a: number, b: number) => number;
  vjp: Vjp<Attrs> | typeof nondifferentiable;
  dtypes?: readonly Dtype[];
  out?: Dtype;
  ranges?: { min?: number; max?: number }[];
}): OpDef<Attrs> {
  const dtypes = def.dtypes ?? [...FLOATS, "int64", "int32"];
  return defineOp<Attrs>({
    name: def.name,
    inputs: ["a", "b"],
    infer: ([a, b]) => {
      requireDtype(def.name, a!, dtypes);
      if (a!.dtype !== b!.dtype) shapeFail(`dtypes differ: ${a!.dtype} vs ${b!.dtype}`);
      return [typed(def.out ?? a!.dtype, broadcastShapes(a!.shape, b!.shape))];
    },
    emit: (o, i, out) => o.node(def.name, i, out),
    vjp: def.vjp,
    samples: binarySamples(def.ranges, dtypes[0]),
    eval: ([a, b]) => {
      const dt = def.out ?? a!.dtype;
      return [zipArrays([a!, b!], (u, v) => roundTo(dt, def.fn(u, v)), dt)];
    },
  });
}
