// Crop + bicubic resize with Pillow's semantics, because torchvision's RandomResizedCrop on PIL images (what DINOv2
// and Franca train on, §5) is `img.crop(box).resize(size, BICUBIC)`:
// * Pillow's bicubic kernel uses a = −0.5 (Resample.c `bicubic_filter`), support 2 — not the a = −0.75 of
//   torch.nn.functional.interpolate (that one matters for position embeddings, §1.5, not here);
// * when shrinking, the kernel is stretched by the scale factor (antialiasing) and weights are renormalised, taps
//   falling outside the input are dropped (`resizedCrop` crops first, so pixels outside the box are never read);
// * separable: horizontal pass, then vertical; each pass clips to the valid range like Pillow's 8-bit passes.
// Difference from Pillow: we stay in float and do not round to 8 bits between or after passes.
// `resizedRegion` is Pillow's `resize(size, BICUBIC, box=…)` with a fractional box: what a crop planned on an image's
// full size becomes on the same image decoded smaller (shrink-on-load); its taps may read just outside the box.
import { CHANNELS, planar, type Planar } from "./image.js";

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const SUPPORT = 2;

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface Taps {
  readonly first: Int32Array; // first input index per output index
  readonly count: Int32Array;
  readonly stride: number; // weights per output index (max taps)
  readonly weights: Float32Array;
}

// Pillow's precompute_coeffs: input span [in0, in1) of an axis of `inSize` pixels resized to `outSize`; `shift` is
// added to every first index (a crop's offset in the image it is cut from).
function taps(inSize: number, in0: number, in1: number, outSize: number, shift = 0): Taps {
  const scale = (in1 - in0) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let o = 0; o < outSize; o++) {
    const center = in0 + (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let i = 0; i < hi - lo; i++) {
      const w = bicubic((i + lo - center + 0.5) / filterScale);
      weights[o * stride + i] = w;
      sum += w;
    }
    if (sum !== 0) for (let i = 0; i < hi - lo; i++) weights[o * stride + i]! /= sum;
    first[o] = lo + shift;
    count[o] = hi - lo;
  }
  return { first, count, stride, weights };
}

const clip01 = (s: number): number => (s < 0 ? 0 : s > 1 ? 1 : s);

/**
 * The separable resampling of `src` with the taps of each axis (first indices are image coordinates). Each output
 * value is a sum over its taps in tap order, accumulated in float64 and clamped — the loops only interleave four
 * independent sums (four rows in the horizontal pass, four columns in the vertical one) so the processor is not
 * waiting on one chain of additions.
 */
// The horizontal pass's rows, kept between calls (a data worker cuts thousands of crops; one buffer serves them all).
let scratch = new Float32Array(0);

function resample(
  src: Planar,
  tx: Taps,
  ty: Taps,
  outWidth: number,
  outHeight: number,
  into?: Float32Array,
): Planar {
  // rows the vertical taps read
  let y0 = Infinity;
  let y1 = 0;
  for (let o = 0; o < outHeight; o++) {
    y0 = Math.min(y0, ty.first[o]!);
    y1 = Math.max(y1, ty.first[o]! + ty.count[o]!);
  }
  const rows = Math.max(0, y1 - y0);
  if (scratch.length < rows * outWidth) scratch = new Float32Array(rows * outWidth);
  const mid = scratch; // horizontal pass of one channel: rows × output columns
  const out = into ? { data: into, width: outWidth, height: outHeight } : planar(outWidth, outHeight);
  const input = src.data;
  const output = out.data;
  const W = src.width;
  const srcPlane = W * src.height;
  const { first: fx, count: nx, stride: sx, weights: wx } = tx;
  const { first: fy, count: ny, stride: sy, weights: wy } = ty;
  for (let c = 0; c < CHANNELS; c++) {
    let y = 0;
    for (; y + 4 <= rows; y += 4) {
      const r0 = c * srcPlane + (y0 + y) * W;
      const d0 = y * outWidth;
      for (let o = 0; o < outWidth; o++) {
        const f = r0 + fx[o]!;
        const n = nx[o]!;
        const wb = o * sx;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0; i < n; i++) {
          const w = wx[wb + i]!;
          const k = f + i;
          s0 += w * input[k]!;
          s1 += w * input[k + W]!;
          s2 += w * input[k + 2 * W]!;
          s3 += w * input[k + 3 * W]!;
        }
        mid[d0 + o] = clip01(s0);
        mid[d0 + outWidth + o] = clip01(s1);
        mid[d0 + 2 * outWidth + o] = clip01(s2);
        mid[d0 + 3 * outWidth + o] = clip01(s3);
      }
    }
    for (; y < rows; y++) {
      const row = c * srcPlane + (y0 + y) * W;
      const dst = y * outWidth;
      for (let o = 0; o < outWidth; o++) {
        const f = row + fx[o]!;
        const n = nx[o]!;
        const wb = o * sx;
        let s = 0;
        for (let i = 0; i < n; i++) s += wx[wb + i]! * input[f + i]!;
        mid[dst + o] = clip01(s);
      }
    }
    for (let o = 0; o < outHeight; o++) {
      const f = (fy[o]! - y0) * outWidth;
      const n = ny[o]!;
      const wb = o * sy;
      const dst = (c * outHeight + o) * outWidth;
      let x = 0;
      for (; x + 4 <= outWidth; x += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0; i < n; i++) {
          const w = wy[wb + i]!;
          const k = f + i * outWidth + x;
          s0 += w * mid[k]!;
          s1 += w * mid[k + 1]!;
          s2 += w * mid[k + 2]!;
          s3 += w * mid[k + 3]!;
        }
        output[dst + x] = clip01(s0);
        output[dst + x + 1] = clip01(s1);
        output[dst + x + 2] = clip01(s2);
        output[dst + x + 3] = clip01(s3);
      }
      for (; x < outWidth; x++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += wy[wb + i]! * mid[f + i * outWidth + x]!;
        output[dst + x] = clip01(s);
      }
    }
  }
  return out;
}

/**
 * Resizes `box` of `src` (integer pixel box inside the image) to outWidth × outHeight, as crop-then-resize; into
 * `into` (3 · outWidth · outHeight values, e.g. a batch's slot) when given.
 */
export function resizedCrop(
  src: Planar,
  box: Box,
  outWidth: number,
  outHeight: number,
  into?: Float32Array,
): Planar {
  const tx = taps(box.width, 0, box.width, outWidth, box.x);
  const ty = taps(box.height, 0, box.height, outHeight, box.y);
  return resample(src, tx, ty, outWidth, outHeight, into);
}

/** Pillow's resize with a fractional `box` in `src`'s coordinates; taps may reach outside the box, not the image. */
export function resizedRegion(
  src: Planar,
  box: Box,
  outWidth: number,
  outHeight: number,
  into?: Float32Array,
): Planar {
  const tx = taps(src.width, box.x, box.x + box.width, outWidth);
  const ty = taps(src.height, box.y, box.y + box.height, outHeight);
  return resample(src, tx, ty, outWidth, outHeight, into);
}
