// torchvision GaussianBlur(kernel_size, sigma ~ U(σ_min, σ_max)) (§5): kernel sampled at the integer offsets
// −(k−1)/2 … (k−1)/2, weights exp(−x²/2σ²) normalised to sum 1, applied separably with reflect padding (edge
// pixel not repeated, torch's "reflect").
import type { Planar } from "./image.js";
import { CHANNELS } from "./image.js";

export function gaussianKernel(size: number, sigma: number): Float32Array {
  const k = new Float32Array(size);
  const half = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = (i - half) / sigma;
    k[i] = Math.exp(-0.5 * x * x);
    sum += k[i]!;
  }
  for (let i = 0; i < size; i++) k[i]! /= sum;
  return k;
}

// Reflect an out-of-range index back into [0, n) (repeatedly, so tiny images work too).
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

// Working rows kept between calls (a data worker blurs thousands of crops).
let scratch = new Float32Array(0);

export function gaussianBlur(img: Planar, kernelSize: number, sigma: number): void {
  const { width: w, height: h, data } = img;
  const k = gaussianKernel(kernelSize, sigma);
  const half = (kernelSize - 1) >> 1;
  const xs = Int32Array.from({ length: w + 2 * half }, (_, i) => reflect(i - half, w));
  const ys = Int32Array.from({ length: h + 2 * half }, (_, i) => reflect(i - half, h));
  // Rows through padded lines (four rows at a time), then columns as sums of whole rows of the row-blurred plane,
  // four columns at a time: every value is still its taps summed in order, in float64; the four sums in flight keep
  // the processor from waiting on one chain of additions.
  const pw = w + 2 * half;
  if (scratch.length < 4 * pw + w * h) scratch = new Float32Array(4 * pw + w * h);
  const lines = scratch.subarray(0, 4 * pw);
  const rows = scratch.subarray(4 * pw, 4 * pw + w * h);
  for (let c = 0; c < CHANNELS; c++) {
    const base = c * w * h;
    let y = 0;
    for (; y + 4 <= h; y += 4) {
      for (let r = 0; r < 4; r++) {
        const row = base + (y + r) * w;
        for (let i = 0; i < pw; i++) lines[r * pw + i] = data[row + xs[i]!]!;
      }
      const d = y * w;
      for (let x = 0; x < w; x++) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let t = 0; t < kernelSize; t++) {
          const kt = k[t]!;
          const j = x + t;
          s0 += kt * lines[j]!;
          s1 += kt * lines[pw + j]!;
          s2 += kt * lines[2 * pw + j]!;
          s3 += kt * lines[3 * pw + j]!;
        }
        rows[d + x] = s0;
        rows[d + w + x] = s1;
        rows[d + 2 * w + x] = s2;
        rows[d + 3 * w + x] = s3;
      }
    }
    for (; y < h; y++) {
      const row = base + y * w;
      for (let i = 0; i < pw; i++) lines[i] = data[row + xs[i]!]!;
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let t = 0; t < kernelSize; t++) s += k[t]! * lines[x + t]!;
        rows[y * w + x] = s;
      }
    }
    for (let y2 = 0; y2 < h; y2++) {
      const dst = base + y2 * w;
      let x = 0;
      for (; x + 4 <= w; x += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let t = 0; t < kernelSize; t++) {
          const kt = k[t]!;
          const j = ys[y2 + t]! * w + x;
          s0 += kt * rows[j]!;
          s1 += kt * rows[j + 1]!;
          s2 += kt * rows[j + 2]!;
          s3 += kt * rows[j + 3]!;
        }
        data[dst + x] = s0;
        data[dst + x + 1] = s1;
        data[dst + x + 2] = s2;
        data[dst + x + 3] = s3;
      }
      for (; x < w; x++) {
        let s = 0;
        for (let t = 0; t < kernelSize; t++) s += k[t]! * rows[ys[y2 + t]! * w + x]!;
        data[dst + x] = s;
      }
    }
  }
}
