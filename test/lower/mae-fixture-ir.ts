// The model IR of the MAE reference fixtures (test/reference/cases_mae.py): examples/mae-tiny.vfm resized to the
// fixture's config. Its crops arrive normalised, so the graph's mean/std normalisation is the identity.
import type { ModelIR } from "../../src/ir/model.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { fixtureBackbone, type Fixture } from "./torch-fixtures.js";

export function maeFixtureIr(f: Fixture): ModelIR {
  const c = f.json.config;
  const b = c.backbone;
  const base = checkSpec("examples/mae-tiny.vfm").models[0]!;
  const size = c.crops.global.size;
  return {
    ...base,
    input: { size, channels: 3, mean: [0, 0, 0], std: [1, 1, 1] },
    backbone: fixtureBackbone(base.backbone, b),
    crops: { ...base.crops, global: { ...base.crops.global, count: 1, size } },
    masking: { ...base.masking, ratio: { lo: c.masking.ratio, hi: c.masking.ratio } },
    decoder: {
      dim: c.decoder.dim,
      depth: c.decoder.depth,
      heads: c.decoder.heads,
      mlpRatio: c.decoder.mlp_ratio,
      ffnHidden: c.decoder.ffn_hidden,
    },
    losses: { ...base.losses, mae: { weight: 1, normPix: c.losses.mae.norm_pix } },
    optim: { ...base.optim, betas: c.optim.betas, eps: c.optim.eps, clip: 0 },
    export: { ...base.export, resolution: size },
    train: { ...base.train, batch: c.train.batch },
  };
}
