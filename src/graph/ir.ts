// The tensor-graph IR: SSA values with a dtype and a static shape, nodes that apply a registered op, named graph
// inputs/outputs, parameters and constants. It knows nothing of models; src/lower builds graphs through builder.ts.
// Nodes are appended in creation order, which is always a topological order (a node can only use existing values).
import type { OpDef, Attrs } from "./op.js";

export type Dtype = "float32" | "float16" | "float64" | "int64" | "int32" | "bool";

/** A dimension: a size, or a symbol such as "N" (the batch) or a product of one symbol and a size ("197*N"). */
export type Dim = number | string;
export type Shape = readonly Dim[];

export interface TensorType {
  readonly dtype: Dtype;
  readonly shape: Shape;
}

/** Constant storage, the same typed arrays the ONNX model types use (float16 as bits, bool as 0/1 bytes). */
export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;

export type ValueKind = "input" | "param" | "constant" | "node";

export class Value implements TensorType {
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly kind: ValueKind,
    readonly dtype: Dtype,
    readonly shape: Shape,
    /** graph input or parameter name (state-dict name for parameters) */
    readonly name: string | undefined,
    /** constant or initialised parameter contents */
    readonly data: TensorData | undefined,
    readonly producer: Node | undefined,
    readonly outputIndex: number,
    readonly source: string | undefined,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `%${this.id}:${typeString(this)}`;
  }
}

export interface Node {
  readonly id: number;
  readonly op: OpDef;
  readonly inputs: readonly Value[];
  readonly attrs: Attrs;
  readonly outputs: readonly Value[];
  /** spec span that asked for this node, e.g. `franca.vfm:12:3 heads.dino`; emitted as the ONNX doc_string */
  readonly source: string | undefined;
}

export const FLOAT_DTYPES: readonly Dtype[] = ["float32", "float16", "float64"];
export const isFloat = (d: Dtype): boolean => FLOAT_DTYPES.includes(d);

const SHORT: Record<Dtype, string> = {
  float32: "f32",
  float16: "f16",
  float64: "f64",
  int64: "i64",
  int32: "i32",
  bool: "bool",
};

export function typeString(t: TensorType): string {
  return `${SHORT[t.dtype]}[${t.shape.join(",")}]`;
}

/**
 * The graph's data. Construction goes through GraphBuilder (builder.ts), which adds the op methods; this class only
 * records values and nodes so that passes, autodiff, printing and emission can read them.
 */
export class Graph {
  readonly values: Value[] = [];
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly params: Value[] = [];
  readonly constants: Value[] = [];
  readonly outputs: { name: string; value: Value }[] = [];
  protected currentSource: string | undefined;

  constructor(readonly name: string = "graph") {}

  /** Runs `build` with `source` attached to every node it creates (nested calls override, then restore). */
  withSource<T>(source: string | undefined, build: () => T): T {
    const saved = this.currentSource;
    this.currentSource = source;
    try {
      return build();
    } finally {
      this.currentSource = saved;
    }
  }

  get source(): string | undefined {
    return this.currentSource;
  }

  protected newValue(
    kind: ValueKind,
    t: TensorType,
    name?: string,
    data?: TensorData,
    producer?: Node,
    outputIndex = 0,
  ): Value {
    const v = new Value(
      this,
      this.values.length,
      kind,
      t.dtype,
      t.shape,
      name,
      data,
      producer,
      outputIndex,
      this.currentSource,
    );
    this.values.push(v);
    return v;
  }

  /** Records a node whose output types are already inferred; used by the builder after the op's shape rule ran. */
  protected addNode(
    op: OpDef,
    inputs: readonly Value[],
    attrs: Attrs,
    outTypes: readonly TensorType[],
  ): Node {
    const outputs: Value[] = [];
    const node: Node = { id: this.nodes.length, op, inputs, attrs, outputs, source: this.currentSource };
    outTypes.forEach((t, i) => outputs.push(this.newValue("node", t, undefined, undefined, node, i)));
    this.nodes.push(node);
    return node;
  }
}
