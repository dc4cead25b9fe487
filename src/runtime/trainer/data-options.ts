// The spec's crops and masking sections (model IR) → the data pipeline's plain options (augment/batch-job.ts).
import { gridOf, type ModelIR, type PerCrop } from "../../ir/model.js";
import type { BatchStreamOptions } from "../augment/batch-job.js";
import type { DataSpec } from "../data/source.js";

const perCrop = (p: PerCrop): [number, number, number] => [p.global1, p.global2, p.local];

export function batchStreamOptions(ir: ModelIR, data: DataSpec): BatchStreamOptions {
  const { global: g, local: l, augment: a } = ir.crops;
  const m = ir.masking;
  return {
    data,
    batch: ir.train.batch,
    seed: ir.train.seed,
    crops: {
      global: { count: g.count, size: g.size, scale: [g.scale.lo, g.scale.hi] },
      local: { count: l.count, size: l.size, scale: [l.scale.lo, l.scale.hi] },
      augment: {
        // flip, grayscale and jitter have one probability for every crop in the reference recipe
        flip: a.flip.global1,
        grayscale: a.grayscale.global1,
        jitter: {
          p: a.jitter.p.global1,
          brightness: a.jitter.brightness,
          contrast: a.jitter.contrast,
          saturation: a.jitter.saturation,
          hue: a.jitter.hue,
        },
        blur: { p: perCrop(a.blur.p), sigma: [a.blur.sigma.lo, a.blur.sigma.hi], kernel: a.blur.kernel },
        solarize: { p: perCrop(a.solarize.p), threshold: a.solarize.threshold },
      },
    },
    ...(m.kind === "random" ? { patchOrder: { patches: gridOf(g.size, ir.backbone.patch) ** 2 } } : {}),
    ...(m.kind === "block" || m.kind === "cyclic"
      ? {
          masking: {
            kind: m.kind,
            ratio: [m.ratio.lo, m.ratio.hi],
            images: m.images,
            patch: ir.backbone.patch,
          },
        }
      : {}),
  };
}
