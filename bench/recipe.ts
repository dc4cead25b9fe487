// A benchmark recipe: a .vfm model checked by vfmc itself (checkSpec), its cost model (src/lower/cost.ts, FLOPs for
// MFU) and the same recipe spelled as the PyTorch peer's config, so both sides compute the same shapes, crops and
// losses from one source of truth.
import { checkSpec } from "../src/lower/check-spec.js";
import { costs, type Costs } from "../src/lower/cost.js";
import type { Head, ModelIR } from "../src/ir/model.js";
import { gridOf } from "../src/ir/model.js";
import { maskUpperbound } from "../src/lower/losses/ibot.js";
import { renderText } from "../src/diagnostics/render.js";
import { readSource } from "../src/cli/io.js";
import type { TorchHead, TorchRecipe } from "./jobs.js";

export interface Recipe {
  /** short label used in the tables: "fmnist", "vits16-96" */
  readonly label: string;
  readonly file: string;
  readonly ir: ModelIR;
  readonly costs: Costs;
  /** null with the reason when the PyTorch peer cannot run this recipe */
  readonly torch: TorchRecipe | string;
}

export class RecipeError extends Error {}

/** Checks `file` and returns its single model (or `model`); diagnostics become one readable error. */
export function loadRecipe(label: string, file: string, model?: string): Recipe {
  const r = checkSpec(file);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new RecipeError(errors.map((d) => renderText(d, readSource)).join("\n"));
  const ir = model ? r.models.find((m) => m.name === model) : r.models[0];
  if (!ir) throw new RecipeError(`${file}: no model ${model ?? ""} to benchmark`);
  return { label, file, ir, costs: costs(ir), torch: torchRecipe(ir) };
}

function torchHead(h: Head): TorchHead {
  return {
    layers: h.layers,
    hidden: h.hidden,
    bottleneck: h.bottleneck,
    prototypes: h.prototypes,
    l2norm: h.l2norm,
    nested: h.nested,
    gelu_after_bottleneck: h.geluAfterBottleneck,
  };
}

/** Schedules at a mid-training step: the values only set the optimiser's numbers, never the work done. */
const SCHEDULES = { lr: 1e-4, last_layer_lr: 1e-4, wd: 0.04, momentum: 0.994, teacher_temp: 0.04 };

/** The peer config, or why the reference step cannot express this recipe. */
export function torchRecipe(ir: ModelIR): TorchRecipe | string {
  const b = ir.backbone;
  if (ir.crops.global.count !== 2) return "the reference step pairs exactly 2 global crops";
  if (!ir.heads.ibot || ir.masking.kind === "none") return "the reference step always computes the iBOT loss";
  if (ir.losses.ibot.teacherTemp.from !== ir.losses.dino.teacherTemp.from)
    return "the reference step uses one teacher temperature for DINO and iBOT";
  const patches = gridOf(ir.crops.global.size, b.patch) ** 2;
  return {
    vit: {
      patch: b.patch,
      dim: b.dim,
      depth: b.depth,
      heads: b.heads,
      mlp_ratio: b.mlpRatio,
      ffn: b.ffn,
      ffn_hidden: b.ffnHidden,
      qkv_bias: b.qkvBias,
      registers: b.registers,
      layerscale: b.layerscale,
      pos_grid: b.posGrid,
      interpolate: b.interpolate,
      interpolate_offset: b.interpolateOffset,
    },
    dino_head: torchHead(ir.heads.dino),
    ibot_head: ir.heads.ibot.separate ? torchHead(ir.heads.ibot) : null,
    loss: {
      targets: ir.losses.dino.targets,
      sinkhorn_iterations: ir.losses.dino.sinkhornIterations,
      student_temp: ir.losses.dino.studentTemp,
      dino_weight: ir.losses.dino.weight,
      ibot_weight: ir.losses.ibot.weight,
      koleo_weight: ir.losses.koleo.weight,
      center_momentum: ir.losses.dino.centerMomentum,
    },
    optim: {
      betas: ir.optim.betas,
      eps: ir.optim.eps,
      layer_decay: ir.optim.layerDecay,
      patch_embed_lr: ir.optim.patchEmbedLr,
      clip: ir.optim.clip,
    },
    schedules: SCHEDULES,
    batch: ir.train.batch,
    n_local: ir.crops.local.count,
    global_size: ir.crops.global.size,
    local_size: ir.crops.local.size,
    masking: {
      kind: ir.masking.kind,
      ratio: [ir.masking.ratio.lo, ir.masking.ratio.hi],
      images: ir.masking.images,
    },
    upperbound: maskUpperbound(ir.masking.ratio, ir.masking.images, 2 * ir.train.batch, patches),
    mean: ir.input.mean,
    std: ir.input.std,
    export_resolution: ir.export.resolution,
  };
}

/** What differs between the two sides' step for this recipe, said next to the numbers. */
export function parityNotes(ir: ModelIR): string[] {
  const notes: string[] = [];
  if (ir.backbone.dropPath > 0)
    notes.push(
      `drop_path ${ir.backbone.dropPath}: vfmc multiplies each residual branch by fed stochastic-depth scales; the PyTorch ` +
        "reference has no stochastic depth (an elementwise multiply per branch, well under 1 % of the step's FLOPs)",
    );
  return notes;
}

export { SCHEDULES };
