// What a recipe costs (`vfmc info`, the editor): parameters, FLOPs per image and per training step, and a memory
// estimate. The backbone's part comes from src/ir/cost.ts; each loss term costs its own heads (objectives/).
//   inference per image = backbone forward at export.resolution;
//   training step (per device, batch B, G global and L local crops):
//     teacher forward = G·B global backbones (when a term needs a teacher) + the terms' teacher-side heads;
//     student forward = G·B global + L·B local backbones + the terms' student-side heads;
//     step = teacher forward + 3 × student forward (backward ≈ 2 × forward).
import { activationFloats, backboneFlops, backboneParams } from "../ir/cost.js";
import type { ModelIR } from "../ir/model.js";
import { modelTerms, needsTeacher } from "./objectives/index.js";
import type { HeadCost } from "./objectives/term.js";

export interface ParamCounts {
  readonly backbone: number;
  /** the loss terms' modules (heads), registry order; a shared or absent head counts 0 */
  readonly modules: readonly HeadCost[];
  /** all modules together */
  readonly heads: number;
  readonly total: number;
}

export interface Costs {
  readonly params: ParamCounts;
  readonly flops: { readonly inferPerImage: number; readonly trainPerStep: number };
  readonly memory: {
    /** student activations kept for backward, one training step at train.batch */
    readonly activationBytes: number;
    /** student (+ teacher) weights, gradients and two AdamW moments, fp32 */
    readonly stateBytes: number;
  };
}

export function costs(m: ModelIR): Costs {
  const backbone = backboneParams(m);
  const terms = modelTerms(m).map((t) => t.costs(m));
  const modules = terms.flatMap((c) => c.heads);
  const heads = modules.reduce((a, h) => a + h.params, 0);
  const total = backbone + heads;
  const teacherOn = needsTeacher(m);
  // the shared multi-crop forwards run unless every term brings its own (MAE)
  const shared = modelTerms(m).some((t) => !t.ownForward);

  const B = m.train.batch;
  const { global, local } = m.crops;
  const globals = global.count * B;
  const locals = local.count * B;
  const sum = (f: (c: (typeof terms)[number]) => number): number => terms.reduce((a, c) => a + f(c), 0);
  const teacher = teacherOn ? globals * backboneFlops(m, global.size) + sum((c) => c.teacherFlops) : 0;
  const student =
    (shared
      ? globals * backboneFlops(m, global.size) + (locals > 0 ? locals * backboneFlops(m, local.size) : 0)
      : 0) + sum((c) => c.studentFlops);

  const activations =
    (shared
      ? globals * activationFloats(m, global.size) +
        (locals > 0 ? locals * activationFloats(m, local.size) : 0)
      : 0) + sum((c) => c.activationFloats ?? 0);
  return {
    params: { backbone, modules, heads, total },
    flops: { inferPerImage: backboneFlops(m, m.export.resolution), trainPerStep: teacher + 3 * student },
    memory: { activationBytes: 4 * activations, stateBytes: 4 * total * (teacherOn ? 5 : 4) },
  };
}
