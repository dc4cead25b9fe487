// Crop + bicubic resize with Pillow's semantics, because torchvision's RandomResizedCrop on PIL images (what DINOv2
// and Franca train on, §5) is `img.crop(box).resize(size, BICUBIC)`:
// * Pillow's bicubic kernel uses a = −0.5 (Resample.c `bicubic_filter`), support 2 — not the a = −0.75 of
//   torch.nn.functional.interpolate (that one matters for position embeddings, §1.5, not here);
// * when shrinking, the kernel is stretched by the scale factor (antialiasing) and weights are renormalised, taps
//   falling outside the crop are dropped (the crop happens first, so pixels outside it are never read);
// * separable: horizontal pass, then vertical; each pass clips to the valid range like Pillow's 8-bit passes.
// Difference from Pillow: we stay in float and do not round to 8 bits between or after passes.
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

// Pillow's precompute_coeffs for an input span of `inSize` pixels resized to `outSize`.
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let i = 0; i < hi - lo; i++) {
      const w = bicubic((i + lo - center + 0.5) / filterScale);
      weights[o * stride + i] = w;
      sum += w;
    }
    if (sum !== 0) for (let i = 0; i < hi - lo; i++) weights[o * stride + i]! /= sum;
    first[o] = lo;
    count[o] = hi - lo;
  }
  return { first, count, stride, weights };
}

/** Resizes `box` of `src` (integer pixel box inside the image) to outWidth × outHeight. */
export function resizedCrop(src: Planar, box: Box, outWidth: number, outHeight: number): Planar {
  const { first: fx, count: nx, stride: sx, weights: wx } = taps(box.width, outWidth);
  const { first: fy, count: ny, stride: sy, weights: wy } = taps(box.height, outHeight);
  const mid = new Float32Array(CHANNELS * box.height * outWidth); // horizontal pass: box rows × output columns
  const out = planar(outWidth, outHeight);
  const input = src.data;
  const output = out.data;
  const srcPlane = src.width * src.height;
  for (let c = 0; c < CHANNELS; c++) {
    for (let y = 0; y < box.height; y++) {
      const row = c * srcPlane + (box.y + y) * src.width + box.x;
      const dst = (c * box.height + y) * outWidth;
      for (let o = 0; o < outWidth; o++) {
        const f = row + fx[o]!;
        const n = nx[o]!;
        const wb = o * sx;
        let acc = 0;
        for (let i = 0; i < n; i++) acc += wx[wb + i]! * input[f + i]!;
        mid[dst + o] = acc < 0 ? 0 : acc > 1 ? 1 : acc;
      }
    }
    for (let o = 0; o < outHeight; o++) {
      const f = c * box.height + fy[o]!;
      const n = ny[o]!;
      const wb = o * sy;
      const dst = (c * outHeight + o) * outWidth;
      for (let x = 0; x < outWidth; x++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += wy[wb + i]! * mid[(f + i) * outWidth + x]!;
        output[dst + x] = acc < 0 ? 0 : acc > 1 ? 1 : acc;
      }
    }
  }
  return out;
}
