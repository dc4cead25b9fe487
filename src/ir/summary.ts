// `vfmc info`: a model's resolved recipe, parameter table, FLOPs and memory, as text for people and as JSON data.
import { costs, type Costs } from "./cost.js";
import { gridOf, type Head, type ModelIR, type Schedule } from "./model.js";
import { formatNumber } from "./print.js";

/** four significant digits, person-style */
function n4(n: number): string {
  return formatNumber(Number(n.toPrecision(4)));
}

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

function schedule(s: Schedule): string {
  const warm = s.warmupSteps > 0 ? `, warmup ${s.warmupSteps} steps` : "";
  return s.shape === "constant"
    ? n4(s.from)
    : `${s.shape} ${n4(s.from)} → ${n4(s.to)} over ${s.overSteps} steps${warm}`;
}

function head(h: Head): string {
  const levels = h.nested > 1 ? `${h.nested} nested levels ${h.levels.map((l) => l.width).join("/")}, ` : "";
  return `${levels}${h.layers} layers, hidden ${h.hidden}, bottleneck ${h.bottleneck}, ${h.prototypes} prototypes${h.l2norm ? ", l2-normalised" : ""}`;
}

function table(rows: [string, string][]): string[] {
  const w = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b.padStart(12)}`);
}

export function infoText(m: ModelIR, c: Costs = costs(m)): string {
  const b = m.backbone;
  const g = gridOf(m.export.resolution, b.patch);
  const ibot = m.heads.ibot ? (m.heads.ibot.separate ? head(m.heads.ibot) : "shares the DINO head") : "off";
  const lines = [
    `model ${m.name}${m.chain.length > 1 ? ` (extends ${m.chain.slice(1).join(" < ")})` : ""}`,
    "",
    "recipe",
    `  backbone   ViT ${b.dim}×${b.depth}, ${b.heads} heads of ${b.headDim}, patch ${b.patch}, ffn ${b.ffn} ${b.ffnHidden}, registers ${b.registers}, layerscale ${b.layerscale ? n4(b.layerscale) : "off"}, drop path ${b.dropPath}`,
    `  positions  grid ${b.posGrid}×${b.posGrid}, ${b.interpolate} offset ${b.interpolateOffset}`,
    `  input      ${m.input.size} px × ${m.input.channels}, mean [${m.input.mean.join(", ")}], std [${m.input.std.join(", ")}]`,
    `  crops      ${m.crops.global.count} global ${m.crops.global.size} px (${m.crops.global.scale.lo}..${m.crops.global.scale.hi}), ${m.crops.local.count} local ${m.crops.local.size} px (${m.crops.local.scale.lo}..${m.crops.local.scale.hi})`,
    `  masking    ${m.masking.kind === "none" ? "none" : `${m.masking.kind}, ratio ${m.masking.ratio.lo}..${m.masking.ratio.hi}, ${m.masking.images} of global crops`}`,
    `  dino head  ${head(m.heads.dino)}`,
    `  ibot head  ${ibot}`,
    `  losses     dino ${m.losses.dino.weight} (${m.losses.dino.targets}), ibot ${m.losses.ibot.weight}, koleo ${m.losses.koleo.weight}; τt ${schedule(m.losses.dino.teacherTemp)}`,
    `  teacher    momentum ${schedule(m.teacher.momentum)}`,
    `  optimiser  adamw, lr ${schedule(m.optim.lr)} (base ${n4(m.optim.baseLr)}, ${m.optim.lrScaling}), wd ${schedule(m.optim.weightDecay)}`,
    `  train      batch ${m.train.batch} × ${m.train.devices} device${m.train.devices === 1 ? "" : "s"}, ${m.train.epochs} epochs × ${m.train.epochLength} = ${m.train.totalSteps} steps`,
    `  post       ${m.post.rasa ? `rasa, ${m.post.rasa.rounds} rounds` : "none"}`,
    `  export     ${m.export.resolution} px (grid ${g}×${g}): ${m.export.outputs.join(", ")}`,
    "",
    "parameters",
    ...table([
      ["backbone", millions(c.params.backbone)],
      ["dino head", millions(c.params.dinoHead)],
      ["ibot head", millions(c.params.ibotHead)],
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
      ["weights + grads + AdamW + teacher", bytes(c.memory.stateBytes)],
    ]),
  ];
  return lines.join("\n") + "\n";
}

function headJson(h: Head) {
  return {
    prototypes: h.prototypes,
    nested: h.nested,
    hidden: h.hidden,
    bottleneck: h.bottleneck,
    layers: h.layers,
    levels: h.levels,
  };
}

/** The `vfmc info --json` object (schema in the README). */
export function infoJson(m: ModelIR, c: Costs = costs(m)) {
  const b = m.backbone;
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
    heads: {
      dino: headJson(m.heads.dino),
      ibot: m.heads.ibot ? { separate: m.heads.ibot.separate, ...headJson(m.heads.ibot) } : null,
    },
    train: { batch: m.train.batch, epochs: m.train.epochs, steps: m.train.totalSteps },
    params: {
      backbone: c.params.backbone,
      dino_head: c.params.dinoHead,
      ibot_head: c.params.ibotHead,
      heads: c.params.heads,
      total: c.params.total,
    },
    flops: { infer_per_image: c.flops.inferPerImage, train_per_step: c.flops.trainPerStep },
    memory: { activation_bytes: c.memory.activationBytes, state_bytes: c.memory.stateBytes },
  };
}
