// Per-parameter lr and weight-decay factors of DINOv2's parameter groups (reference §7.2): the group lr is
// (last_layer_lr if the name contains `last_layer` else lr) × lr_multiplier, with lr_multiplier the layer-wise
// decay rate^(L+1−layer_id) × patch_embed_lr for patch_embed.*; weight decay is wd × (0 for `.bias`, `norm`,
// `gamma` names, else 1). The multipliers themselves are computed once, as data, in ../params.ts (shared with the
// manifest); this file turns them into graph scalars from the schedule inputs.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { ParamSpec } from "../params.js";

export interface StepScalars {
  readonly lr: Value;
  readonly wd: Value;
  /** lr of `last_layer` parameters: the schedule's lr, or 0 while the last layer is frozen (§7.1) */
  readonly lastLayerLr: Value;
}

export interface ParamRates {
  readonly lr: Value;
  readonly wd: Value;
}

/** Rates per parameter, computed once per distinct (lr source, multiplier, decay) combination. */
export class RateTable {
  private readonly cache = new Map<string, ParamRates>();
  constructor(
    private readonly g: GraphBuilder,
    private readonly s: StepScalars,
  ) {}

  of(p: ParamSpec): ParamRates {
    const key = `${p.lastLayer ? "last" : "lr"}*${p.lrMultiplier}|${p.decay ? "wd" : "0"}`;
    let r = this.cache.get(key);
    if (!r) {
      const base = p.lastLayer ? this.s.lastLayerLr : this.s.lr;
      const lr = p.lrMultiplier === 1 ? base : this.g.mul(base, p.lrMultiplier);
      this.cache.set(key, (r = { lr, wd: p.decay ? this.s.wd : this.g.scalar(0, "float32") }));
    }
    return r;
  }
}
