// Conversions between plain number arrays and the typed arrays that constants, initializers and ORT tensors use.
import type { Dtype, TensorData } from "./ir.js";

/** IEEE half bits of a number (round to nearest even), for float16 constants. */
export function toHalfBits(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function toTensorData(dtype: Dtype, values: readonly number[]): TensorData {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "float64":
      return Float64Array.from(values);
    case "float16":
      return Uint16Array.from(values, toHalfBits);
    case "int64":
      return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case "int32":
      return Int32Array.from(values, Math.trunc);
    case "bool":
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

export function fromTensorData(dtype: Dtype, data: TensorData): number[] {
  if (dtype === "float16") return Array.from(data as Uint16Array, fromHalfBits);
  if (data instanceof BigInt64Array) return Array.from(data, Number);
  return Array.from(data as ArrayLike<number>);
}
