// SpecValues → ModelIR: assemble the typed model from checked values and schema defaults, resolving durations
// to steps and deriving what the recipe implies (FFN width, Matryoshka levels, scaled lr).
import type { Span } from "../diagnostics/diagnostic.js";
import {
  lrScale,
  nestedLevels,
  swigluHidden,
  type Augment,
  type ClsLoss,
  type CropSet,
  type Decoder,
  type InitScheme,
  type MaskingKind,
  type PosEmbedKind,
  type ExportOutput,
  type Head,
  type IbotHead,
  type ModelIR,
  type PerCrop,
  type Schedule,
  type Train,
} from "./model.js";
import type { ScheduleSpec, SpecValues } from "./spec-values.js";

export interface ModelIdentity {
  readonly name: string;
  readonly file: string;
  readonly chain: readonly string[];
  readonly nameSpan: Span;
}

/** Duration in steps; `epochs` use the recipe's epoch length (§7.1). */
function steps(
  d: { amount: number; unit: "epochs" | "steps" } | undefined,
  train: Train,
): number | undefined {
  if (!d) return undefined;
  return d.unit === "epochs" ? Math.round(d.amount * train.epochLength) : Math.round(d.amount);
}

export function resolveSchedule(s: ScheduleSpec, train: Train): Schedule {
  return {
    shape: s.shape,
    from: s.from,
    to: s.to,
    warmupSteps: steps(s.warmup, train) ?? 0,
    overSteps: steps(s.over, train) ?? train.totalSteps,
  };
}

function perCrop([global1, global2, local]: readonly [number, number, number]): PerCrop {
  return { global1, global2, local };
}

function cropSet(v: SpecValues, path: string): CropSet {
  return { count: v.num(`${path}.count`), size: v.num(`${path}.size`), scale: v.range(`${path}.scale`) };
}

function head(v: SpecValues, path: string, dim: number): Head {
  const nested = v.num(`${path}.nested`);
  const prototypes = v.num(`${path}.prototypes`);
  return {
    layers: v.num(`${path}.layers`),
    hidden: v.num(`${path}.hidden`),
    bottleneck: v.num(`${path}.bottleneck`),
    prototypes,
    l2norm: v.bool(`${path}.l2norm`),
    geluAfterBottleneck: v.bool(`${path}.gelu_after_bottleneck`),
    nested,
    levels: nestedLevels(dim, nested, prototypes),
  };
}

/** `weight`: the value when the spec's is not to be read (an MAE model's iBOT term is off). */
function clsLoss(v: SpecValues, path: string, train: Train, weight?: number): ClsLoss {
  return {
    weight: weight ?? v.num(`${path}.weight`),
    targets: v.name(`${path}.targets`),
    sinkhornIterations: v.num(`${path}.sinkhorn_iterations`),
    centerMomentum: v.num(`${path}.center_momentum`),
    studentTemp: v.num(`${path}.student_temp`),
    teacherTemp: resolveSchedule(v.schedule(`${path}.teacher_temp`), train),
  };
}

function decoder(v: SpecValues): Decoder {
  const dim = v.num("decoder.dim");
  const mlpRatio = v.num("decoder.mlp_ratio");
  return {
    dim,
    depth: v.num("decoder.depth"),
    heads: v.num("decoder.heads"),
    mlpRatio,
    ffnHidden: Math.floor(dim * mlpRatio),
  };
}

function augment(v: SpecValues): Augment {
  const a = "crops.augment";
  return {
    flip: perCrop(v.perCrop(`${a}.flip`)),
    grayscale: perCrop(v.perCrop(`${a}.grayscale`)),
    jitter: {
      p: perCrop(v.perCrop(`${a}.jitter.p`)),
      brightness: v.num(`${a}.jitter.brightness`),
      contrast: v.num(`${a}.jitter.contrast`),
      saturation: v.num(`${a}.jitter.saturation`),
      hue: v.num(`${a}.jitter.hue`),
    },
    blur: {
      p: perCrop(v.perCrop(`${a}.blur.p`)),
      sigma: v.range(`${a}.blur.sigma`),
      kernel: v.num(`${a}.blur.kernel`),
    },
    solarize: { p: perCrop(v.perCrop(`${a}.solarize.p`)), threshold: v.num(`${a}.solarize.threshold`) },
  };
}

export function buildModel(id: ModelIdentity, v: SpecValues): ModelIR {
  const epochs = v.num("train.epochs");
  const epochLength = v.num("train.epoch_length");
  const train: Train = {
    batch: v.num("train.batch"),
    devices: v.num("train.devices"),
    epochs,
    epochLength,
    totalSteps: epochs * epochLength,
    seed: v.num("train.seed"),
  };
  const dim = v.num("backbone.dim");
  const heads = v.num("backbone.heads");
  const mlpRatio = v.num("backbone.mlp_ratio");
  const ffn = v.name<"mlp" | "swiglu">("backbone.ffn");
  // Writing `losses { mae }` makes the model a masked autoencoder, whose only term is the reconstruction loss; the
  // DINO family's terms are then off (a model that writes both is rejected by the mae term's check).
  const isMae = v.spans.has("losses.mae");
  const terms = isMae ? ["mae"] : ["dino", "ibot", "koleo"];
  const dino = clsLoss(v, "losses.dino", train);
  const ibotLoss = clsLoss(v, "losses.ibot", train, isMae ? 0 : undefined);
  const dinoHead = head(v, "heads.dino", dim);
  const separate = v.bool("heads.ibot.separate");
  const ibotHead: IbotHead | null =
    ibotLoss.weight === 0
      ? null
      : separate
        ? { separate, ...head(v, "heads.ibot", dim) }
        : { separate, ...dinoHead };
  const lrSpec = v.schedule("optim.lr");
  const scaling = v.name<"none" | "sqrt_wrt_1024" | "linear_wrt_256">("optim.lr_scaling");
  const written = resolveSchedule(lrSpec, train);
  const [b1 = 0.9, b2 = 0.999] = v.numbers("optim.betas");
  // DINOv2's default masks (iBOT on); a recipe that turns iBOT off and writes no masking is not masked
  const maskingKind = (v.variants.get("masking") ??
    (ibotLoss.weight === 0 ? "none" : v.variant("masking"))) as MaskingKind;
  const rasa = v.variant("post") === "rasa";
  const spans = new Map(v.spans);
  spans.set("model", id.nameSpan);
  return {
    name: id.name,
    file: id.file,
    chain: id.chain,
    input: {
      size: v.num("input.size"),
      channels: v.num("input.channels"),
      mean: v.numbers("input.mean"),
      std: v.numbers("input.std"),
    },
    backbone: {
      kind: "vit",
      patch: v.num("backbone.patch"),
      dim,
      depth: v.num("backbone.depth"),
      heads,
      headDim: dim / heads,
      mlpRatio,
      ffn,
      ffnHidden: ffn === "swiglu" ? swigluHidden(dim, mlpRatio) : Math.floor(dim * mlpRatio),
      qkvBias: v.bool("backbone.qkv_bias"),
      registers: v.num("backbone.registers"),
      layerscale: v.num("backbone.layerscale"),
      dropPath: v.num("backbone.drop_path"),
      posGrid: v.num("backbone.pos_grid"),
      interpolate: v.name("backbone.interpolate"),
      interpolateOffset: v.num("backbone.interpolate_offset"),
      posEmbed: v.name<PosEmbedKind>("backbone.pos_embed"),
      init: v.name<InitScheme>("backbone.init"),
    },
    crops: { global: cropSet(v, "crops.global"), local: cropSet(v, "crops.local"), augment: augment(v) },
    masking: {
      kind: maskingKind,
      ratio: v.range("masking.ratio"),
      images: v.num("masking.images"),
      minAspect: v.num("masking.min_aspect"),
      minPatches: v.num("masking.min_patches"),
    },
    heads: { dino: dinoHead, ibot: ibotHead },
    decoder: isMae ? decoder(v) : null,
    losses: {
      terms,
      dino,
      ibot: ibotLoss,
      koleo: { weight: v.num("losses.koleo.weight") },
      mae: isMae ? { weight: v.num("losses.mae.weight"), normPix: v.bool("losses.mae.norm_pix") } : null,
    },
    teacher: { momentum: resolveSchedule(v.schedule("teacher.momentum"), train) },
    optim: {
      kind: "adamw",
      betas: [b1, b2],
      eps: v.num("optim.eps"),
      baseLr: written.from,
      minLr: written.to,
      lrScaling: scaling,
      lr: { ...written, from: written.from * lrScale(scaling, train.batch * train.devices) },
      warmupSteps: written.warmupSteps,
      weightDecay: resolveSchedule(v.schedule("optim.weight_decay"), train),
      layerDecay: v.num("optim.layer_decay"),
      patchEmbedLr: v.num("optim.patch_embed_lr"),
      clip: v.num("optim.clip"),
      freezeLastLayerSteps: v.num("optim.freeze_last_layer") * epochLength,
    },
    train,
    post: { rasa: rasa ? { rounds: v.num("post.rounds") } : null },
    export: { resolution: v.num("export.resolution"), outputs: v.names<ExportOutput>("export.outputs") },
    spans,
  };
}
