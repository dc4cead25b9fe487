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

export function gaussianBlur(img: Planar, kernelSize: number, sigma: number): void {
  const { width: w, height: h, data } = img;
  const k = gaussianKernel(kernelSize, sigma);
  const half = (kernelSize - 1) >> 1;
  const xs = Int32Array.from({ length: w + 2 * half }, (_, i) => reflect(i - half, w));
  const ys = Int32Array.from({ length: h + 2 * half }, (_, i) => reflect(i - half, h));
  // One padded line at a time (rows, then columns), so the inner loop reads contiguous memory.
  const line = new Float32Array(Math.max(w, h) + 2 * half);
  for (let c = 0; c < CHANNELS; c++) {
    const base = c * w * h;
    for (let y = 0; y < h; y++) {
      const row = base + y * w;
      for (let i = 0; i < w + 2 * half; i++) line[i] = data[row + xs[i]!]!;
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let t = 0; t < kernelSize; t++) acc += k[t]! * line[x + t]!;
        data[row + x] = acc;
      }
    }
    for (let x = 0; x < w; x++) {
      const col = base + x;
      for (let i = 0; i < h + 2 * half; i++) line[i] = data[col + ys[i]! * w]!;
      for (let y = 0; y < h; y++) {
        let acc = 0;
        for (let t = 0; t < kernelSize; t++) acc += k[t]! * line[y + t]!;
        data[col + y * w] = acc;
      }
    }
  }
}
