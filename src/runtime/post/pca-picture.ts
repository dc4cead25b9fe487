// The DINOv2-style feature picture: patch tokens [P, D] of one image → the first PCA component separates
// foreground from background (threshold on its score), a second PCA on the foreground patches gives three
// components shown as RGB; background patches are black. Drawn beside the input, both scaled up (nearest) so that
// a 32-px synthetic image stays visible.
import { CHANNELS, planar, type Planar } from "../augment/image.js";
import { pca, project } from "./pca.js";

export interface PcaMapOptions {
  /** foreground = patches whose (oriented) first-component score exceeds this; 0 = above the mean */
  readonly threshold?: number;
  /** false: colour every patch with the three components of all patches */
  readonly foreground?: boolean;
}

export interface PcaMap {
  /** [grid·grid·3] RGB in [0, 1], row-major grid */
  readonly rgb: Float32Array;
  readonly foreground: Uint8Array;
  readonly grid: number;
  /** explained variance of the first three components of the foreground PCA */
  readonly variances: readonly number[];
}

/**
 * The first component's sign is arbitrary; orient it so the image border scores lower than the interior (objects
 * rarely fill the frame), which makes "score > threshold" the foreground.
 */
function orientedFirst(scores: Float64Array, grid: number): Float64Array {
  let border = 0;
  let nb = 0;
  let inner = 0;
  let ni = 0;
  for (let r = 0; r < grid; r++)
    for (let c = 0; c < grid; c++) {
      const s = scores[r * grid + c]!;
      if (r === 0 || c === 0 || r === grid - 1 || c === grid - 1) {
        border += s;
        nb++;
      } else {
        inner += s;
        ni++;
      }
    }
  const flip = ni > 0 && border / nb > inner / ni;
  return flip ? scores.map((s) => -s) : scores;
}

export function pcaMap(tokens: Float32Array, grid: number, dim: number, opts: PcaMapOptions = {}): PcaMap {
  const p = grid * grid;
  const first = pca(tokens, p, dim, 1);
  const score = orientedFirst(project(first, tokens, p, dim), grid);
  const fg = new Uint8Array(p);
  for (let i = 0; i < p; i++) fg[i] = opts.foreground === false || score[i]! > (opts.threshold ?? 0) ? 1 : 0;
  let idx = [...fg.keys()].filter((i) => fg[i]);
  if (idx.length < 4) {
    // too few foreground patches for three components: colour everything
    fg.fill(1);
    idx = [...fg.keys()];
  }
  const sub = new Float32Array(idx.length * dim);
  idx.forEach((i, r) => sub.set(tokens.subarray(i * dim, (i + 1) * dim), r * dim));
  const second = pca(sub, idx.length, dim, 3);
  const scores = project(second, sub, idx.length, dim);
  const k = second.components.length;
  const rgb = new Float32Array(p * 3);
  for (let t = 0; t < k; t++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < idx.length; r++) {
      lo = Math.min(lo, scores[r * k + t]!);
      hi = Math.max(hi, scores[r * k + t]!);
    }
    const span = hi - lo || 1;
    idx.forEach((i, r) => (rgb[i * 3 + t] = (scores[r * k + t]! - lo) / span));
  }
  return { rgb, foreground: fg, grid, variances: second.variances };
}

/** The input (scaled ×`scale`) and the PCA map (each patch a block of the same total size), side by side. */
export function sideBySide(input: Planar, map: PcaMap, scale: number, gap = 4): Planar {
  const w = input.width * scale;
  const h = input.height * scale;
  const out = planar(2 * w + gap, h);
  out.data.fill(1);
  const plane = out.width * out.height;
  const inPlane = input.width * input.height;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const src = Math.floor(y / scale) * input.width + Math.floor(x / scale);
      const cell = Math.floor((y * map.grid) / h) * map.grid + Math.floor((x * map.grid) / w);
      for (let c = 0; c < CHANNELS; c++) {
        out.data[c * plane + y * out.width + x] = input.data[c * inPlane + src]!;
        out.data[c * plane + y * out.width + w + gap + x] = map.rgb[cell * 3 + c]!;
      }
    }
  return out;
}
