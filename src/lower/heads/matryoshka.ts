// Franca's MRLDINOHead, F+ variant (reference §2.2): for each nesting width d_ℓ (narrowest first) a full head of its
// own — Linear(d_ℓ → d_ℓ) on the first d_ℓ channels, the MLP (GELU after the bottleneck), no L2 normalisation,
// weight-normed Linear(bot → K_ℓ). Levels share nothing; the result is one logits tensor per level.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { Head } from "../../ir/model.js";
import { linear } from "../../graph/composite/linear.js";
import type { ParamSpec } from "../params.js";
import { headMlp, l2Normalize, L2_EPS, mlpSpecs, weightNormLinear, weightNormSpecs } from "./dino.js";
import { HeadSpecs, take, type ParamValues } from "./head-params.js";

export function matryoshkaHeadSpecs(head: Head, module: string, prefix = ""): ParamSpec[] {
  const s = new HeadSpecs(module);
  const m = prefix + module;
  head.levels.forEach(({ width, prototypes }, l) => {
    s.linear(`${m}.matryoshka_projections.${l}`, width, width);
    mlpSpecs(s, `${m}.mlps.${l}`, head, width);
    weightNormSpecs(s, `${m}.last_layers.${l}`, prototypes, head.bottleneck);
  });
  return s.specs;
}

export function matryoshkaHead(
  g: GraphBuilder,
  head: Head,
  params: ParamValues,
  module: string,
  x: Value,
): Value[] {
  const channels = x.shape[x.rank - 1] as number;
  return head.levels.map(({ width }, l) => {
    const sliced = width === channels ? x : g.slice(x, [0], [width], [x.rank - 1]);
    const p = `${module}.matryoshka_projections.${l}`;
    let z = headMlp(
      g,
      params,
      `${module}.mlps.${l}`,
      head,
      linear(g, sliced, take(params, `${p}.weight`), take(params, `${p}.bias`)),
    );
    // Franca's heads never normalise; honoured anyway so `l2norm true` on a nested head means what it says
    if (head.l2norm) z = l2Normalize(g, z, L2_EPS);
    const last = `${module}.last_layers.${l}`;
    return weightNormLinear(g, z, take(params, `${last}.weight_g`), take(params, `${last}.weight_v`));
  });
}
