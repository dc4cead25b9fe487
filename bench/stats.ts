// Summaries of repeated timings: the median (robust to the odd slow iteration a busy machine produces) and the
// spread as min–max around it, so a reader sees how much to trust a ratio.

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / median: 0.05 = the runs varied by 5 % of the median */
  readonly spread: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarise(xs: readonly number[]): Summary {
  const med = median(xs);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { n: xs.length, median: med, min, max, spread: xs.length > 0 && med > 0 ? (max - min) / med : NaN };
}

/** Items per second from seconds per iteration: the median rate and the range the fastest/slowest runs give. */
export interface Rate {
  readonly n: number;
  readonly perSec: number;
  readonly lo: number;
  readonly hi: number;
  readonly spread: number;
}

export function rateOf(secondsPerIter: readonly number[], itemsPerIter: number): Rate {
  const s = summarise(secondsPerIter);
  return {
    n: s.n,
    perSec: itemsPerIter / s.median,
    lo: itemsPerIter / s.max,
    hi: itemsPerIter / s.min,
    spread: s.spread,
  };
}
