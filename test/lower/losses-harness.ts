// Running small lowered graphs in onnxruntime for the heads/losses/train tests: declare inputs from plain arrays,
// build, emit, run, read back plain arrays.
import { GraphBuilder } from "../../src/graph/builder.js";
import { toOnnx } from "../../src/graph/emit.js";
import type { Value } from "../../src/graph/ir.js";
import type { HostTensor } from "../harness/ort.js";
import { runModel } from "../harness/ort.js";
import type { Mat } from "./ssl-reference.js";

/** Deterministic uniform numbers in [lo, hi) (a tiny LCG; the tests only need fixed, varied values). */
export function numbers(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = (seed * 2654435761 + 12345) >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 4294967296;
  });
}

export function randMat(r: number, c: number, seed: number, lo = -1, hi = 1): Mat {
  const xs = numbers(r * c, seed, lo, hi);
  return Array.from({ length: r }, (_, i) => xs.slice(i * c, (i + 1) * c));
}

export const f32 = (dims: number[], data: ArrayLike<number>): HostTensor => ({
  dtype: "float32",
  dims,
  data: Float32Array.from(data),
});
export const matTensor = (m: Mat): HostTensor => f32([m.length, m[0]!.length], m.flat());

export function toMat(t: HostTensor): Mat {
  const [r, c] = t.dims as [number, number];
  const d = Array.from(t.data as Float32Array);
  return Array.from({ length: r }, (_, i) => d.slice(i * c, (i + 1) * c));
}

export interface Built {
  readonly g: GraphBuilder;
  readonly feeds: Record<string, HostTensor>;
  /** declares a float32 input fed with `t` */
  readonly input: (name: string, t: HostTensor) => Value;
}

export function builder(name = "test"): Built {
  const g = new GraphBuilder(name);
  const feeds: Record<string, HostTensor> = {};
  return {
    g,
    feeds,
    input: (n, t) => {
      feeds[n] = t;
      return g.input(n, t.dtype as "float32", t.dims);
    },
  };
}

export async function run(b: Built, outputs: Record<string, Value>): Promise<Record<string, HostTensor>> {
  for (const [n, v] of Object.entries(outputs)) b.g.output(n, v);
  return runModel(toOnnx(b.g, { opset: 17 }), b.feeds, { graphOptimizationLevel: "disabled" });
}

export const scalarOf = (t: HostTensor | undefined): number => (t!.data as Float32Array)[0]!;

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
