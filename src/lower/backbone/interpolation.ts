// The 1-D resampling matrices of DINOv2's position-embedding resize (reference §1.5), computed at compile time so
// the graph interpolates with two MatMuls instead of ONNX `Resize` (whose cubic/antialias semantics differ from
// PyTorch's). Pure numbers; the graph side is pos-embed.ts.
//
// Each function returns W [out, in] row-major (float64) such that resampled = W · grid along one axis; the 2-D
// resize is separable, exactly as ATen's kernels compute it. Scale and source index are rounded to float32 where
// ATen computes them in float (opmath_t), so tap positions match PyTorch's bit for bit in the usual cases.
import type { Interpolation } from "../../ir/model.js";

const f32 = Math.fround;

/** Keys' cubic convolution kernel with parameter `a` (|x| < 1 and 1 ≤ |x| < 2 branches, ATen's Horner forms). */
export function cubicKernel(x: number, a: number): number {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/**
 * Inverse scale σ = in/out as ATen's area_pixel_compute_scale sees it: `1/scale_factor` when DINOv2 passes a scale
 * factor ((g + offset)/M, offset ≠ 0), else in/out (DINOv2 passes `size` when the offset is 0).
 */
export function inverseScale(inSize: number, outSize: number, offset: number): number {
  return offset !== 0 ? f32(1 / ((outSize + offset) / inSize)) : f32(inSize / outSize);
}

/** upsample_bicubic2d, align_corners=False, a = −0.75, taps clamped to the edge (§1.5 cases a, b). */
export function bicubicMatrix(inSize: number, outSize: number, offset: number): Float64Array {
  const sigma = inverseScale(inSize, outSize, offset);
  const w = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const u = f32(f32(sigma * (i + 0.5)) - 0.5);
    const i0 = Math.min(Math.floor(u), inSize - 1);
    const t = Math.min(Math.max(u - i0, 0), 1);
    const coeffs = [
      cubicKernel(t + 1, -0.75),
      cubicKernel(t, -0.75),
      cubicKernel(1 - t, -0.75),
      cubicKernel(2 - t, -0.75),
    ];
    coeffs.forEach((c, k) => {
      const j = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
      w[i * inSize + j]! += c;
    });
  }
  return w;
}

/**
 * _upsample_bicubic2d_aa, align_corners=False (§1.5 case c): kernel a = −0.5 stretched by the downscale factor,
 * support 2σ (downsampling) or 2, taps outside the input dropped and the rest renormalised to sum 1.
 */
export function bicubicAntialiasMatrix(inSize: number, outSize: number, offset: number): Float64Array {
  const sigma = inverseScale(inSize, outSize, offset);
  const support = sigma >= 1 ? 2 * sigma : 2;
  const invscale = sigma >= 1 ? 1 / sigma : 1;
  const w = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const center = sigma * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let j = xmin; j < xmax; j++) total += cubicKernel((j - center + 0.5) * invscale, -0.5);
    if (total === 0) continue;
    for (let j = xmin; j < xmax; j++)
      w[i * inSize + j] = cubicKernel((j - center + 0.5) * invscale, -0.5) / total;
  }
  return w;
}

export interface ResizeRule {
  readonly interpolate: Interpolation;
  readonly offset: number;
}

/** The matrix for one axis under the backbone's rule. */
export function resizeMatrix(rule: ResizeRule, inSize: number, outSize: number): Float64Array {
  return rule.interpolate === "bicubic_antialias"
    ? bicubicAntialiasMatrix(inSize, outSize, rule.offset)
    : bicubicMatrix(inSize, outSize, rule.offset);
}

/**
 * DINOv2's skip condition (§1.5 step 2): no resize when the patch count equals M² and the image is square. vfmc
 * grids are square whenever H = W, so this is gh = gw = M.
 */
export function needsResize(m: number, gh: number, gw: number): boolean {
  return !(gh === m && gw === m);
}
