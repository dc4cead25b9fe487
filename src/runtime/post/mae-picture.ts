// The figure every MAE user looks at (He et al. 2022, Fig. 2): the input, the input with its removed patches greyed
// out, the decoder's reconstruction of every patch, and the reconstruction with the visible patches pasted back —
// side by side, scaled up (nearest) so a 32-px image stays visible. Predictions are in the decoder's space: the
// normalised input's pixels, each patch also normalised by its own mean and variance when the model was trained
// with norm_pix; to show them, a patch is mapped back with the statistics of the input's own patch (as the MAE
// demo does for such models), then the input normalisation is undone.
import { CHANNELS, planar, type Planar } from "../augment/image.js";

export interface MaePictureInputs {
  /** the image, RGB in [0, 1], side S */
  readonly image: Planar;
  /** [P, p·p·C] the decoder's prediction, (row, column, channel) order within a patch */
  readonly pred: Float32Array;
  /** [P] 1 = removed */
  readonly mask: Float32Array;
  readonly patch: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly normPix: boolean;
  /** eps of the per-patch normalisation (1e-6) */
  readonly eps: number;
}

/** The four panels, in the order they are drawn. */
export interface MaePanels {
  readonly input: Planar;
  readonly masked: Planar;
  readonly reconstruction: Planar;
  readonly pasted: Planar;
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/** The decoder's output as RGB pictures (see the file comment for the normalisations undone). */
export function maePanels(inp: MaePictureInputs): MaePanels {
  const { image, pred, mask, patch: p, mean, std } = inp;
  const S = image.width;
  const grid = S / p;
  const plane = S * S;
  const values = p * p * CHANNELS;
  const reconstruction = planar(S, S);
  const masked = planar(S, S);
  const pasted = planar(S, S);
  const normalised = (c: number, y: number, x: number): number =>
    (image.data[c * plane + y * S + x]! - mean[c]!) / std[c]!;
  for (let gy = 0; gy < grid; gy++)
    for (let gx = 0; gx < grid; gx++) {
      const k = gy * grid + gx;
      // the input patch's statistics in the decoder's value order (row, column, channel)
      let mu = 0;
      let ss = 0;
      if (inp.normPix) {
        for (let i = 0; i < p; i++)
          for (let j = 0; j < p; j++)
            for (let c = 0; c < CHANNELS; c++) mu += normalised(c, gy * p + i, gx * p + j);
        mu /= values;
        for (let i = 0; i < p; i++)
          for (let j = 0; j < p; j++)
            for (let c = 0; c < CHANNELS; c++) ss += (normalised(c, gy * p + i, gx * p + j) - mu) ** 2;
      }
      const scale = inp.normPix ? Math.sqrt(ss / (values - 1) + inp.eps) : 1;
      const removed = mask[k]! > 0.5;
      for (let i = 0; i < p; i++)
        for (let j = 0; j < p; j++)
          for (let c = 0; c < CHANNELS; c++) {
            const y = gy * p + i;
            const x = gx * p + j;
            const v = pred[k * values + (i * p + j) * CHANNELS + c]! * scale + mu;
            const rgb = clamp01(v * std[c]! + mean[c]!);
            const at = c * plane + y * S + x;
            reconstruction.data[at] = rgb;
            masked.data[at] = removed ? 0.5 : image.data[at]!;
            pasted.data[at] = removed ? rgb : image.data[at]!;
          }
    }
  return { input: image, masked, reconstruction, pasted };
}

/** Panels left to right, each scaled ×`scale` (nearest), on white with `gap` pixels between them. */
export function panelRow(panels: readonly Planar[], scale: number, gap = 4): Planar {
  const w = panels[0]!.width * scale;
  const h = panels[0]!.height * scale;
  const out = planar(panels.length * w + (panels.length - 1) * gap, h);
  out.data.fill(1);
  const plane = out.width * out.height;
  panels.forEach((img, n) => {
    const inPlane = img.width * img.height;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const src = Math.floor(y / scale) * img.width + Math.floor(x / scale);
        for (let c = 0; c < CHANNELS; c++)
          out.data[c * plane + y * out.width + n * (w + gap) + x] = img.data[c * inPlane + src]!;
      }
  });
  return out;
}
