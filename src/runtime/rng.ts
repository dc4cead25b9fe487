// Seeded pseudo-random numbers for everything the runtime draws (crops, masks, sampling order).
// xoshiro128** (Blackman & Vigna): 128-bit state, 32-bit outputs, fast with Math.imul, and its whole state is four
// integers — a checkpoint stores them and a resumed run continues bit-identically.
// Streams are derived, not shared: `Rng.derive(seed, "crops", step)` gives batch `step` its own generator, so
// results do not depend on which worker computed what, or in which order.
import { InternalError } from "../diagnostics/diagnostic.js";

/** Serialisable generator state (JSON-safe). */
export interface RngState {
  readonly algorithm: "xoshiro128**";
  readonly s: readonly [number, number, number, number];
}

export type SeedKey = number | string;

const TWO_POW_32 = 4294967296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// murmur3's finaliser: a bijective 32-bit mix used to fold seed keys into state words.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function keyWords(key: SeedKey): number[] {
  if (typeof key === "number") {
    if (!Number.isSafeInteger(key))
      throw new InternalError(`rng seed key must be a safe integer, got ${key}`);
    const lo = key >>> 0;
    const hi = Math.floor(key / TWO_POW_32) >>> 0; // negative seeds wrap, still distinct from positive ones
    return [0x6e756d00, lo, hi];
  }
  const words = [0x73747200, key.length];
  for (let i = 0; i < key.length; i++) words.push(key.charCodeAt(i));
  return words;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(s: readonly number[]) {
    this.s0 = s[0]! | 0;
    this.s1 = s[1]! | 0;
    this.s2 = s[2]! | 0;
    this.s3 = s[3]! | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A generator determined by a seed and any number of labels (e.g. `Rng.derive(seed, "mask", step)`). */
  static derive(seed: SeedKey, ...keys: SeedKey[]): Rng {
    const h = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344];
    let lane = 0;
    for (const key of [seed, ...keys]) {
      for (const w of keyWords(key)) {
        const i = lane++ & 3;
        h[i] = fmix32((h[i]! ^ w) + Math.imul(lane, 0x9e3779b9));
        h[(i + 1) & 3] = fmix32(h[(i + 1) & 3]! ^ h[i]!);
      }
    }
    for (let r = 0; r < 4; r++) for (let i = 0; i < 4; i++) h[i] = fmix32(h[i]! ^ h[(i + 3) & 3]! ^ (r + 1));
    return new Rng(h);
  }

  static fromState(state: RngState): Rng {
    if (
      state.algorithm !== "xoshiro128**" ||
      state.s.length !== 4 ||
      !state.s.every((x) => Number.isInteger(x))
    ) {
      throw new InternalError(`not an xoshiro128** state: ${JSON.stringify(state)}`);
    }
    return new Rng(state.s);
  }

  state(): RngState {
    return { algorithm: "xoshiro128**", s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  clone(): Rng {
    return Rng.fromState(this.state());
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits (like Python's random.random()). */
  random(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform in [lo, hi) — `lo + (hi − lo)·random()`, Python's random.uniform. */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** Uniform integer in [lo, hi], both inclusive (Python's random.randint); unbiased by rejection. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new InternalError(`rng.int needs integers lo ≤ hi, got ${lo}, ${hi}`);
    }
    const range = hi - lo + 1;
    if (range > TWO_POW_32) throw new InternalError(`rng.int range too large: ${range}`);
    if (range === TWO_POW_32) return lo + this.nextUint32();
    const limit = TWO_POW_32 - (TWO_POW_32 % range); // accept draws below the largest multiple of range
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return lo + (x % range);
    }
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.random() < p;
  }

  /** Standard normal (Box–Muller, one draw per call so the state stays just the four words). */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.random(); // (0, 1]: log is finite
    const u2 = this.random();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0 … n−1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
