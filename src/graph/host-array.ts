// Plain-TypeScript arrays for the ops' reference `eval` functions (the op table test compares ORT against them,
// constant folding runs them). Numbers are JS doubles; int64 and bool are stored as integral numbers / 0 and 1.
// Speed does not matter here: inputs are tiny.
import type { Dtype } from "./ir.js";

export interface HostArray {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export function host(dtype: Dtype, shape: readonly number[], data: readonly number[]): HostArray {
  return { dtype, shape, data };
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

export function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + idx[i]!;
  return flat;
}

/** Builds an array by evaluating `f` at every index. */
export function tabulate(dtype: Dtype, shape: readonly number[], f: (idx: number[]) => number): HostArray {
  const n = count(shape);
  const data = new Array<number>(n);
  for (let i = 0; i < n; i++) data[i] = f(unravel(i, shape));
  return { dtype, shape, data };
}

export function at(x: HostArray, idx: readonly number[]): number {
  return x.data[ravel(idx, x.shape)]!;
}

export function mapArray(x: HostArray, f: (v: number) => number, dtype: Dtype = x.dtype): HostArray {
  return { dtype, shape: x.shape, data: x.data.map(f) };
}

/** Elementwise over broadcast inputs (numpy rules). */
export function zipArrays(
  xs: readonly HostArray[],
  f: (...v: number[]) => number,
  dtype: Dtype = xs[0]!.dtype,
): HostArray {
  const rank = Math.max(...xs.map((x) => x.shape.length));
  const shape: number[] = [];
  for (let i = 0; i < rank; i++)
    shape.push(Math.max(...xs.map((x) => x.shape[x.shape.length - rank + i] ?? 1)));
  return tabulate(dtype, shape, (idx) =>
    f(
      ...xs.map((x) =>
        at(
          x,
          x.shape.map((d, j) => (d === 1 ? 0 : idx[rank - x.shape.length + j]!)),
        ),
      ),
    ),
  );
}

/** Reduction over `axes` (normalised): folds each group's values with `fold`. */
export function reduceArray(
  x: HostArray,
  axes: readonly number[],
  keepdims: boolean,
  fold: (values: number[]) => number,
): HostArray {
  const outKeep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, j) => (axes.includes(j) ? 0 : v));
    const k = ravel(idx, outKeep);
    const list = groups.get(k);
    if (list) list.push(x.data[i]!);
    else groups.set(k, [x.data[i]!]);
  }
  const data = Array.from({ length: count(outKeep) }, (_, k) => fold(groups.get(k) ?? []));
  const shape = keepdims ? outKeep : x.shape.filter((_, i) => !axes.includes(i));
  return { dtype: x.dtype, shape, data };
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Rounds to the dtype's storage (float32 rounding, integer truncation, bool). */
export function roundTo(dtype: Dtype, v: number): number {
  switch (dtype) {
    case "float32":
    case "float16":
      return Math.fround(v);
    case "int64":
    case "int32":
      return Math.trunc(v);
    case "bool":
      return v ? 1 : 0;
    default:
      return v;
  }
}

export const sum = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0);
