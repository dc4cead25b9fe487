// Photometric augmentations with torchvision's float-tensor semantics (§5): ColorJitter (its four adjustments in a
// fresh random order each call, factors brightness ~ U(max(0, 1−b), 1+b), contrast and saturation likewise,
// hue ~ U(−h, h)), RandomGrayscale, RandomSolarize. Every blend clamps to [0, 1] as torchvision's `_blend` does.
// On PIL images torchvision goes through 8-bit PIL enhancers instead; values differ by rounding only.
import type { Rng } from "../rng.js";
import { luma, type Planar } from "./image.js";

export interface JitterOptions {
  readonly p: number;
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
  readonly hue: number;
}

function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** One ColorJitter draw: the order of the four adjustments and their factors. */
export interface JitterDraw {
  readonly order: Int32Array;
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
  readonly hue: number;
}

/** ColorJitter's random draws, in torchvision's order (permutation, then the four factors). */
export function drawJitter(o: JitterOptions, rng: Rng): JitterDraw {
  const order = rng.permutation(4);
  const brightness = rng.uniform(Math.max(0, 1 - o.brightness), 1 + o.brightness);
  const contrast = rng.uniform(Math.max(0, 1 - o.contrast), 1 + o.contrast);
  const saturation = rng.uniform(Math.max(0, 1 - o.saturation), 1 + o.saturation);
  const hue = rng.uniform(-o.hue, o.hue);
  return { order, brightness, contrast, saturation, hue };
}

export function applyJitter(img: Planar, o: JitterOptions, d: JitterDraw): void {
  for (const op of d.order) {
    // a zero-width range gives factor 1 (or hue 0): torchvision skips those ops, and so do we
    if (op === 0 && o.brightness > 0) adjustBrightness(img, d.brightness);
    else if (op === 1 && o.contrast > 0) adjustContrast(img, d.contrast);
    else if (op === 2 && o.saturation > 0) adjustSaturation(img, d.saturation);
    else if (op === 3 && o.hue > 0) adjustHue(img, d.hue);
  }
}

/** Applies ColorJitter in place; the caller has already decided (with probability p) to apply it. */
export function colorJitter(img: Planar, o: JitterOptions, rng: Rng): void {
  applyJitter(img, o, drawJitter(o, rng));
}

export function adjustBrightness(img: Planar, factor: number): void {
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = clip01(d[i]! * factor);
}

export function adjustContrast(img: Planar, factor: number): void {
  const d = img.data;
  const n = img.width * img.height;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += luma(d[i]!, d[n + i]!, d[2 * n + i]!);
  const mean = sum / n;
  for (let i = 0; i < d.length; i++) d[i] = clip01(factor * d[i]! + (1 - factor) * mean);
}

export function adjustSaturation(img: Planar, factor: number): void {
  const d = img.data;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const g = (1 - factor) * luma(d[i]!, d[n + i]!, d[2 * n + i]!);
    d[i] = clip01(factor * d[i]! + g);
    d[n + i] = clip01(factor * d[n + i]! + g);
    d[2 * n + i] = clip01(factor * d[2 * n + i]! + g);
  }
}

/** Hue rotation through HSV exactly as torchvision's _rgb2hsv / _hsv2rgb. */
export function adjustHue(img: Planar, shift: number): void {
  const d = img.data;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const r = d[i]!;
    const g = d[n + i]!;
    const b = d[2 * n + i]!;
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const eq = maxc === minc;
    const cr = maxc - minc;
    const s = cr / (eq ? 1 : maxc);
    const div = eq ? 1 : cr;
    const rc = (maxc - r) / div;
    const gc = (maxc - g) / div;
    const bc = (maxc - b) / div;
    let h: number;
    if (maxc === r) h = bc - gc;
    else if (maxc === g) h = 2 + rc - bc;
    else h = 4 + gc - rc;
    // torch's ((h/6 + 1) % 1 + shift) % 1, % following the divisor's sign: a fractional part, computed exactly
    // (x − ⌊x⌋) instead of with the slow floating-point remainder
    h = h / 6 + 1;
    h -= Math.floor(h);
    h += shift;
    h -= Math.floor(h);
    const v = maxc;
    const h6 = h * 6;
    const k = Math.floor(h6);
    const f = h6 - k;
    const p = clip01(v * (1 - s));
    const q = clip01(v * (1 - s * f));
    const t = clip01(v * (1 - s * (1 - f)));
    // torchvision's selection table: sector → (r, g, b) among v, p, q, t
    const sector = k % 6;
    const ro = sector === 0 || sector === 5 ? v : sector === 1 ? q : sector === 4 ? t : p;
    const go = sector === 1 || sector === 2 ? v : sector === 0 ? t : sector === 3 ? q : p;
    const bo = sector === 3 || sector === 4 ? v : sector === 2 ? t : sector === 5 ? q : p;
    d[i] = ro;
    d[n + i] = go;
    d[2 * n + i] = bo;
  }
}

export function grayscale(img: Planar): void {
  const d = img.data;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const y = luma(d[i]!, d[n + i]!, d[2 * n + i]!);
    d[i] = y;
    d[n + i] = y;
    d[2 * n + i] = y;
  }
}

/** Pixels at or above the threshold (given on the 0…255 scale, like the reference's 128) are inverted. */
export function solarize(img: Planar, threshold255: number): void {
  const t = threshold255 / 255;
  const d = img.data;
  for (let i = 0; i < d.length; i++) if (d[i]! >= t) d[i] = 1 - d[i]!;
}

export function flipHorizontal(img: Planar): void {
  const { data, width } = img;
  for (let row = 0; row < data.length; row += width)
    for (let i = row, j = row + width - 1; i < j; i++, j--) {
      const t = data[i]!;
      data[i] = data[j]!;
      data[j] = t;
    }
}
