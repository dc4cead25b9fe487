// `vfmc info`: a model's resolved recipe, parameter table, FLOPs and memory, as text for people and as JSON data.
// The loss terms contribute their heads' lines, their part of the losses line and their modules' parameter rows.
import { gridOf, type ModelIR } from "../ir/model.js";
import { formatEstimate as est } from "../ir/check/dynamics.js";
import type { LossEstimate } from "../ir/dynamics.js";
import { costs, type Costs } from "./cost.js";
import { modelDynamics, onPlateau } from "./dynamics.js";
import { modelTerms, needsTeacher } from "./objectives/index.js";
import { formatSchedule as schedule, n4 } from "./objectives/util.js";

function millions(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} K`;
}

function giga(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(2)} TFLOPs`;
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GFLOPs` : `${(n / 1e6).toFixed(2)} MFLOPs`;
}

function bytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function table(rows: [string, string][]): string[] {
  const w = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b.padStart(12)}`);
}

function maskingText(m: ModelIR): string {
  const k = m.masking;
  if (k.kind === "none") return "none";
  if (k.kind === "random") return `random, ratio ${k.ratio.lo} of the patches removed per image`;
  return `${k.kind}, ratio ${k.ratio.lo}..${k.ratio.hi}, ${k.images} of global crops`;
}

/** `dino   logits std 0.051 → loss ≈ 11.91 at step 0 (uniform Σ log K = 11.78); targets …` */
function dynamicsLine(l: LossEstimate): string {
  const std = l.levels.map((v) => est(v.logitStd));
  const stds = std.length > 1 ? `${std[0]}…${std[std.length - 1]}` : std[0];
  const sum = l.levels.length > 1 ? "Σ log K" : "log K";
  const share =
    l.levels.reduce((a, v) => a + v.targetEntropy, 0) / l.levels.reduce((a, v) => a + v.uniform, 0);
  const rows = `${l.samples} ${l.samplesCoincide ? "coinciding " : ""}samples`;
  return (
    `${l.term.padEnd(6)} logits std ${stds} → loss ≈ ${l.loss0.toFixed(2)} at step 0 ` +
    `(uniform ${sum} = ${l.uniform.toFixed(2)}${onPlateau(l) ? ": on the plateau" : ""}); ` +
    `targets at ${(100 * share).toFixed(0)} % of log K (${l.targets} over ${rows})`
  );
}

export function infoText(m: ModelIR, c: Costs = costs(m)): string {
  const b = m.backbone;
  const g = gridOf(m.export.resolution, b.patch);
  const terms = modelTerms(m).map((t) => t.info(m));
  const label = (s: string): string => s.padEnd(9);
  const notes = terms.flatMap((t) => (t.note ? [t.note] : []));
  const lines = [
    `model ${m.name}${m.chain.length > 1 ? ` (extends ${m.chain.slice(1).join(" < ")})` : ""}`,
    "",
    "recipe",
    `  backbone   ViT ${b.dim}×${b.depth}, ${b.heads} heads of ${b.headDim}, patch ${b.patch}, ffn ${b.ffn} ${b.ffnHidden}, registers ${b.registers}, layerscale ${b.layerscale ? n4(b.layerscale) : "off"}, drop path ${b.dropPath}`,
    `  positions  grid ${b.posGrid}×${b.posGrid}, ${b.posEmbed === "sincos" ? "fixed 2-D sin-cos, " : ""}${b.interpolate} offset ${b.interpolateOffset}`,
    `  input      ${m.input.size} px × ${m.input.channels}, mean [${m.input.mean.join(", ")}], std [${m.input.std.join(", ")}]`,
    `  crops      ${m.crops.global.count} global ${m.crops.global.size} px (${m.crops.global.scale.lo}..${m.crops.global.scale.hi}), ${m.crops.local.count > 0 ? `${m.crops.local.count} local ${m.crops.local.size} px (${m.crops.local.scale.lo}..${m.crops.local.scale.hi})` : "no local crops"}`,
    `  masking    ${maskingText(m)}`,
    ...terms.flatMap((t) => (t.recipe ?? []).map(([k, v]) => `  ${label(k)}  ${v}`)),
    `  losses     ${terms.map((t) => t.loss).join(", ")}${notes.map((n) => `; ${n}`).join("")}`,
    `  teacher    ${needsTeacher(m) ? `momentum ${schedule(m.teacher.momentum)}` : "none"}`,
    `  optimiser  adamw, lr ${schedule(m.optim.lr)} (base ${n4(m.optim.baseLr)}, ${m.optim.lrScaling}), wd ${schedule(m.optim.weightDecay)}`,
    `  train      batch ${m.train.batch} × ${m.train.devices} device${m.train.devices === 1 ? "" : "s"}, ${m.train.epochs} epochs × ${m.train.epochLength} = ${m.train.totalSteps} steps`,
    `  post       ${m.post.rasa ? `rasa, ${m.post.rasa.rounds} rounds` : "none"}`,
    `  export     ${m.export.resolution} px (grid ${g}×${g}): ${m.export.outputs.join(", ")}`,
    "",
    "parameters",
    ...table([
      ["backbone", millions(c.params.backbone)],
      ...c.params.modules.map((h): [string, string] => [h.module.replace(/_/g, " "), millions(h.params)]),
      ["total", millions(c.params.total)],
    ]),
    "",
    "compute (matrix products, 2 FLOPs per multiply-add)",
    ...table([
      [`inference per image (${m.export.resolution} px)`, giga(c.flops.inferPerImage)],
      [`training step (batch ${m.train.batch})`, giga(c.flops.trainPerStep)],
    ]),
    "",
    "memory (fp32 estimate)",
    ...table([
      ["activations per training step", bytes(c.memory.activationBytes)],
      [`weights + grads + AdamW${needsTeacher(m) ? " + teacher" : ""}`, bytes(c.memory.stateBytes)],
    ]),
    ...dynamics(m),
  ];
  return lines.join("\n") + "\n";
}

/** The first-step estimates of the self-distillation losses (src/ir/dynamics.ts), when the model has any. */
function dynamics(m: ModelIR): string[] {
  const ds = modelDynamics(m);
  if (ds.length === 0) return [];
  return [
    "",
    "first step (estimated from the initialisation; docs/small-scale.md)",
    ...ds.map((l) => `  ${dynamicsLine(l)}`),
  ];
}

/** The `vfmc info --json` object (schema in the README). */
export function infoJson(m: ModelIR, c: Costs = costs(m)) {
  const b = m.backbone;
  const part = (key: string): Record<string, unknown> =>
    Object.assign({}, ...modelTerms(m).map((t) => t.info(m).json?.[key] ?? {}));
  return {
    name: m.name,
    backbone: {
      patch: b.patch,
      dim: b.dim,
      depth: b.depth,
      heads: b.heads,
      mlp_ratio: b.mlpRatio,
      ffn: b.ffn,
      registers: b.registers,
      layerscale: b.layerscale,
      qkv_bias: b.qkvBias,
      pos_grid: b.posGrid,
    },
    input: { size: m.input.size, channels: m.input.channels, mean: m.input.mean, std: m.input.std },
    crops: {
      global: { count: m.crops.global.count, size: m.crops.global.size },
      local: { count: m.crops.local.count, size: m.crops.local.size },
    },
    masking: m.masking.kind,
    heads: part("heads"),
    train: { batch: m.train.batch, epochs: m.train.epochs, steps: m.train.totalSteps },
    params: {
      backbone: c.params.backbone,
      ...Object.fromEntries(c.params.modules.map((h) => [h.module, h.params])),
      heads: c.params.heads,
      total: c.params.total,
    },
    flops: { infer_per_image: c.flops.inferPerImage, train_per_step: c.flops.trainPerStep },
    memory: { activation_bytes: c.memory.activationBytes, state_bytes: c.memory.stateBytes },
    init: Object.fromEntries(
      modelDynamics(m).map((l) => [
        l.term,
        {
          loss0: l.loss0,
          uniform: l.uniform,
          on_plateau: onPlateau(l),
          targets: l.targets,
          samples: l.samples,
          samples_coincide: l.samplesCoincide,
          levels: l.levels.map((v) => ({
            width: v.width,
            prototypes: v.prototypes,
            logit_std: v.logitStd,
            student_scale: v.studentScale,
            teacher_scale: v.teacherScale,
            target_entropy: v.targetEntropy,
            loss0: v.loss0,
          })),
        },
      ]),
    ),
  };
}
