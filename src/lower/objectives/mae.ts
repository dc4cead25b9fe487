// The masked-autoencoder reconstruction loss (He et al. 2022, "Masked Autoencoders Are Scalable Vision Learners", §3;
// facebookresearch/mae models_mae.py). One view per image, no teacher: the encoder (the backbone) sees only the
// ⌊P·(1 − ratio)⌋ patches that come first in the image's random patch order (a batch input, so the graph is
// deterministic), the decoder puts its mask token at every removed position, adds its fixed sin-cos positions, runs
// its own blocks and predicts each patch's pixels; the loss is the mean squared error on the removed patches, against
// the normalised input's pixels — each patch normalised by its own mean and unbiased variance when `norm_pix` is on.
// The decoder's parameters carry the reference's names (decoder_embed, mask_token, decoder_blocks.N…, decoder_norm,
// decoder_pred), so the released checkpoints load as they are.
import { DiagnosticBag, DiagnosticError } from "../../diagnostics/diagnostic.js";
import { GraphBuilder } from "../../graph/builder.js";
import { linear } from "../../graph/composite/linear.js";
import type { Value } from "../../graph/ir.js";
import { activationFloats, blockFlops } from "../../ir/cost.js";
import { gridOf, spanOf, type Decoder, type ModelIR } from "../../ir/model.js";
import { xavierUniform } from "../backbone/params.js";
import { blockBranches, layerNorm, type BlockParams } from "../backbone/block.js";
import { sincosPosEmbed } from "../backbone/sincos.js";
import { normalisePixels } from "../backbone/normalise.js";
import { backboneParams, vitForward } from "../backbone/vit.js";
import type { LowerContext, LoweredGraph } from "../compile.js";
import { PIXELS } from "../infer.js";
import type { IoRoleInfo } from "../manifest.js";
import { specSources, type At } from "../source.js";
import { BATCH } from "../contract.js";
import { take, type ParamValues } from "../heads/head-params.js";
import { affine, blockNames, type AffineNames, type MlpNames } from "../names.js";
import { paramSpec, type InitRule, type ParamSpec } from "../params.js";
import { defineTerm } from "./term.js";

/** The checkpoint modules of the decoder (models_mae.py names); `mask_token` is the decoder's. */
const DECODER = "decoder";
const EMBED = "decoder_embed";
const MASK_TOKEN = "mask_token";
const BLOCKS = "decoder_";
const NORM = "decoder_norm";
const PRED = "decoder_pred";
/** MAE's per-patch normalisation eps (models_mae.py forward_loss: (var + 1.e-6)**.5) */
export const NORM_PIX_EPS = 1e-6;

const ZERO: InitRule = { kind: "constant", value: 0 };
const ONE: InitRule = { kind: "constant", value: 1 };

/** Patches per image of the (only) global crop, and how many the encoder sees. */
export function maeTokens(ir: ModelIR): { readonly patches: number; readonly visible: number } {
  const patches = gridOf(ir.crops.global.size, ir.backbone.patch) ** 2;
  // Python's int(L * (1 - mask_ratio)), models_mae.py random_masking
  return { patches, visible: Math.trunc(patches * (1 - ir.masking.ratio.lo)) };
}

/** Values per patch the decoder predicts: p·p·C. */
function patchValues(ir: ModelIR): number {
  return ir.backbone.patch * ir.backbone.patch * ir.input.channels;
}

/** The decoder's parameters, models_mae.py names and initialize_weights (xavier-uniform linears, normal 0.02). */
export function decoderParamSpecs(ir: ModelIR, prefix = ""): ParamSpec[] {
  const dec = ir.decoder!;
  const D = ir.backbone.dim;
  const out: ParamSpec[] = [];
  const add = (name: string, shape: number[], init: InitRule): void => {
    out.push(paramSpec(prefix + name, shape, init, DECODER));
  };
  const lin = (n: AffineNames, outF: number, inF: number): void => {
    add(n.weight, [outF, inF], xavierUniform(outF, inF));
    add(n.bias, [outF], ZERO);
  };
  const norm = (n: AffineNames): void => {
    add(n.weight, [dec.dim], ONE);
    add(n.bias, [dec.dim], ZERO);
  };
  lin(affine(EMBED), dec.dim, D);
  add(MASK_TOKEN, [1, 1, dec.dim], { kind: "normal", std: 0.02 });
  for (let i = 0; i < dec.depth; i++) {
    const b = blockNames(i, "mlp", BLOCKS);
    const mlp = b.mlp as MlpNames;
    norm(b.norm1);
    lin(b.attn.qkv, 3 * dec.dim, dec.dim);
    lin(b.attn.proj, dec.dim, dec.dim);
    norm(b.norm2);
    lin(mlp.fc1, dec.ffnHidden, dec.dim);
    lin(mlp.fc2, dec.dim, dec.ffnHidden);
  }
  norm(affine(NORM));
  lin(affine(PRED), patchValues(ir), dec.dim);
  return out;
}

function decoderBlock(params: ParamValues, i: number): BlockParams {
  const b = blockNames(i, "mlp", BLOCKS);
  const mlp = b.mlp as MlpNames;
  const pair = (n: AffineNames): [Value, Value] => [take(params, n.weight), take(params, n.bias)];
  return {
    norm1: pair(b.norm1),
    attn: {
      qkvWeight: take(params, b.attn.qkv.weight),
      qkvBias: take(params, b.attn.qkv.bias),
      projWeight: take(params, b.attn.proj.weight),
      projBias: take(params, b.attn.proj.bias),
    },
    norm2: pair(b.norm2),
    mlp: { kind: "mlp", fc1: pair(mlp.fc1), fc2: pair(mlp.fc2) },
  };
}

/**
 * models_mae.py patchify: [N, C, H, W] → [N, L, p·p·C], each patch's values in (row, column, channel) order — not
 * the patch embedding's (channel, row, column).
 */
export function patchify(g: GraphBuilder, pixels: Value, patch: number): Value {
  const [n, c, h, w] = pixels.shape as [number, number, number, number];
  const gh = h / patch;
  const gw = w / patch;
  const blocks = g.reshape(pixels, [n, c, gh, patch, gw, patch]);
  return g.reshape(g.transpose(blocks, [0, 2, 4, 3, 5, 1]), [n, gh * gw, patch * patch * c]);
}

/** models_mae.py forward_loss's targets: each patch normalised by its mean and unbiased variance (eps 1e-6). */
export function normalisedPatches(g: GraphBuilder, target: Value): Value {
  const n = target.shape[target.rank - 1] as number;
  const centred = g.sub(target, g.reduceMean(target, [-1], true));
  const variance = g.div(g.reduceSum(g.mul(centred, centred), [-1], true), n - 1);
  return g.div(centred, g.sqrt(g.add(variance, NORM_PIX_EPS)));
}

export interface Reconstruction {
  /** [N, P, p·p·C]: the decoder's prediction of every patch (normalised pixels when norm_pix) */
  readonly pred: Value;
  /** [N, P] float: 1 where the patch was removed from the encoder's input */
  readonly mask: Value;
}

/**
 * Encoder on the visible patches, then the decoder (models_mae.py forward_encoder + forward_decoder). `pixels` are
 * normalised; `order` int64 [N, P] is each image's patch order (the first `visible` are kept).
 */
export function maeForward(
  g: GraphBuilder,
  ir: ModelIR,
  at: At,
  backbone: Parameters<typeof vitForward>[2],
  decoder: ParamValues,
  pixels: Value,
  order: Value,
): Reconstruction {
  const dec: Decoder = ir.decoder!;
  const n = pixels.shape[0] as number;
  const { patches: P, visible: K } = maeTokens(ir);
  const keep = at("masking", () => g.slice(order, [0], [K], [1]));
  const latent = vitForward(g, ir.backbone, backbone, pixels, { at, keep }).normed; // [N, 1 + K, D]
  return at("decoder", () => {
    // where each patch went in the order: restore[b, order[b, j]] = j (the reference's ids_restore)
    const positions = g.constant(
      BigInt64Array.from({ length: n * P }, (_, i) => BigInt(i % P)),
      "int64",
      [n, P],
    );
    const restore = g.scatterElements(g.zeros([n, P], "int64"), order, positions, 1);
    const y = linear(g, latent, take(decoder, `${EMBED}.weight`), take(decoder, `${EMBED}.bias`));
    const maskTokens = g.expand(take(decoder, MASK_TOKEN), [n, P - K, dec.dim]);
    const shuffled = g.concat([g.slice(y, [1], [1 + K], [1]), maskTokens], 1); // [N, P, Dd], kept first
    const offsets = g.constant(
      BigInt64Array.from({ length: n }, (_, b) => BigInt(b * P)),
      "int64",
      [n, 1],
    );
    const rows = g.reshape(g.add(restore, offsets), [n * P]);
    const unshuffled = g.reshape(g.gather(g.reshape(shuffled, [n * P, dec.dim]), rows, 0), [n, P, dec.dim]);
    const grid = gridOf(ir.crops.global.size, ir.backbone.patch);
    let x = g.add(g.concat([g.slice(y, [0], [1], [1]), unshuffled], 1), sincosPosEmbed(g, dec.dim, grid)); // [N, 1 + P, Dd]
    for (let i = 0; i < dec.depth; i++) {
      const br = blockBranches(g, decoderBlock(decoder, i), dec.heads);
      x = g.add(x, br.attn(x));
      x = g.add(x, br.ffn(x));
    }
    const normed = layerNorm(g, x, [take(decoder, affine(NORM).weight), take(decoder, affine(NORM).bias)]);
    const pred = linear(
      g,
      g.slice(normed, [1], [1 + P], [1]),
      take(decoder, `${PRED}.weight`),
      take(decoder, `${PRED}.bias`),
    );
    const mask = g.cast(g.greater(restore, K - 1), "float32");
    return { pred, mask };
  });
}

/** Mean squared error per patch, averaged over the removed patches (models_mae.py forward_loss). */
export function maeLoss(g: GraphBuilder, pred: Value, target: Value, mask: Value, removed: number): Value {
  const diff = g.sub(pred, target);
  const perPatch = g.reduceMean(g.mul(diff, diff), [-1]); // [N, P]
  // mask.sum() is the exact count N·(P − K): the reference divides by it
  return g.div(g.reduceSum(g.mul(perPatch, mask), [0, 1]), removed);
}

/** FLOPs of the decoder on one image (2 per multiply-add): embedding, blocks on 1 + P tokens, pixel predictor. */
function decoderFlops(ir: ModelIR): number {
  const dec = ir.decoder!;
  const { patches: P, visible: K } = maeTokens(ir);
  return (
    2 * (1 + K) * ir.backbone.dim * dec.dim +
    dec.depth * blockFlops(dec.dim, 2, dec.ffnHidden, 1 + P) +
    2 * P * dec.dim * patchValues(ir)
  );
}

function decoderParams(ir: ModelIR): number {
  return decoderParamSpecs(ir).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}

/** The reconstruction graph (`vfmc compile --emit reconstruct`, `vfmc viz mae`): one image and its patch order in,
 * the decoder's prediction of every patch and the removed-patch mask out, weights inside. */
function lowerReconstruct(ctx: LowerContext): LoweredGraph {
  const { ir } = ctx;
  if (!ir.losses.terms.includes("mae") || !ir.decoder) {
    const bag = new DiagnosticBag();
    bag.report("GraphNotAvailable", undefined, [
      RECONSTRUCT,
      `${ir.name} has no MAE decoder (losses { mae { … } })`,
    ]);
    throw new DiagnosticError(bag.items);
  }
  const g = new GraphBuilder(`${ir.name}.${RECONSTRUCT}`);
  const at = specSources(g, ir);
  return at("decoder", () => {
    const roles = new Map<string, IoRoleInfo>();
    const S = ir.crops.global.size;
    const C = ir.input.channels;
    const { patches } = maeTokens(ir);
    const pixels = g.input(PIXELS, "float32", [1, C, S, S]);
    roles.set(PIXELS, { role: "batch", doc: "RGB in [0, 1], one image at the global crop size" });
    const order = g.input(BATCH.patchOrder, "int64", [1, patches]);
    roles.set(BATCH.patchOrder, {
      role: "batch",
      doc: "the image's patches in the order the encoder keeps them",
    });
    const declare = (s: ParamSpec) => g.param(s.name, s.shape, ctx.value(s));
    const backbone = backboneParams(ctx.backbone, declare, { channels: C, maskToken: false });
    const decoderSpecs = decoderParamSpecs(ir);
    const decoder = new Map(decoderSpecs.map((s) => [s.name, declare(s)]));
    const normalised = at("input", () => normalisePixels(g, pixels, ir.input.mean, ir.input.std));
    const r = maeForward(g, ir, at, backbone.params, decoder, normalised, order);
    g.output("pred", r.pred);
    roles.set("pred", {
      role: "feature",
      doc: `[1, P, p·p·C] the decoder's pixels of every patch, (row, column, channel) order${ir.losses.mae?.normPix ? ", per-patch normalised" : ""}`,
    });
    g.output("mask", r.mask);
    roles.set("mask", {
      role: "feature",
      doc: "[1, P] 1 where the patch was removed from the encoder's input",
    });
    return { graph: g, roles, params: [...backbone.specs, ...decoderSpecs] };
  });
}

const RECONSTRUCT = "reconstruct";

export const mae = defineTerm<never>({
  name: "mae",
  doc: "weighted MAE reconstruction loss: mean squared error on the removed patches (He et al. 2022, §3)",
  reads: ["losses.mae", "decoder", "masking"],
  tokens: "patches",
  needsTeacher: false,
  ownForward: true,
  active: (ir) => ir.losses.mae !== null && ir.losses.mae.weight > 0,
  heads: (ir, prefix) => (ir.decoder ? decoderParamSpecs(ir, prefix) : []),
  checkpointModules: [EMBED, MASK_TOKEN, "decoder_blocks", NORM, PRED, "decoder_pos_embed"],
  graphs: [
    {
      kind: RECONSTRUCT,
      doc: "MAE: one image + its patch order → the decoder's pixels of every patch and the removed-patch mask (weights inside; vfmc viz mae)",
      lower: lowerReconstruct,
    },
  ],

  declareBatch(d, ir, inputs) {
    const { patches } = maeTokens(ir);
    inputs.set(
      BATCH.patchOrder,
      d.at("masking", () =>
        d.batch(
          BATCH.patchOrder,
          "int64",
          [ir.train.batch, patches],
          `per image a random order of its ${patches} patches; the encoder sees the first ${maeTokens(ir).visible}`,
        ),
      ),
    );
  },

  student({ g, ir, at, student, views, inputs }) {
    const pixels = views.normalise(views.globalPixels);
    const r = maeForward(g, ir, at, student.backbone, student.heads, pixels, inputs.get(BATCH.patchOrder)!);
    const loss = at("losses.mae", () => {
      const raw = patchify(g, pixels, ir.backbone.patch);
      const target = ir.losses.mae!.normPix ? normalisedPatches(g, raw) : raw;
      const { patches, visible } = maeTokens(ir);
      const removed = ir.train.batch * (patches - visible);
      return g.mul(maeLoss(g, r.pred, target, r.mask, removed), ir.losses.mae!.weight);
    });
    return { loss };
  },

  check({ model, values, bag }) {
    const { crops, masking, backbone, decoder } = model;
    for (const path of values.spans.keys())
      if ((/^losses\.[a-z_]+$/.test(path) && path !== "losses.mae") || path === "heads")
        bag.report("MaeWithOtherTerms", spanOf(model, path), [path]);
    if (masking.kind !== "random")
      bag.report("MaeNeedsRandomMasking", spanOf(model, "masking"), [masking.kind]);
    if (crops.global.count !== 1 || crops.local.count !== 0)
      bag.report(
        "MaeOneView",
        spanOf(model, crops.global.count !== 1 ? "crops.global.count" : "crops.local.count"),
        [crops.global.count, crops.local.count],
      );
    if (backbone.dropPath > 0)
      bag.report("MaeDropPath", spanOf(model, "backbone.drop_path"), [backbone.dropPath]);
    if (decoder && decoder.dim % decoder.heads !== 0)
      bag.report("DecoderDimNotDivisibleByHeads", spanOf(model, "decoder.heads"), [
        decoder.dim,
        decoder.heads,
      ]);
    if (decoder && decoder.dim % 4 !== 0)
      bag.report("SincosDimNotDivisibleBy4", spanOf(model, "decoder.dim"), ["decoder.dim", decoder.dim]);
    if (masking.kind === "random") {
      const { patches, visible } = maeTokens(model);
      if (visible < 1 || visible >= patches)
        bag.report("MaeNothingToReconstruct", spanOf(model, "masking.ratio"), [
          masking.ratio.lo,
          patches,
          visible,
        ]);
    }
  },
  costs(ir) {
    const { visible } = maeTokens(ir);
    const bb = ir.backbone;
    const P = maeTokens(ir).patches;
    const B = ir.train.batch;
    const embed = 2 * P * bb.dim * patchValues(ir);
    const encoder =
      embed +
      bb.depth * blockFlops(bb.dim, bb.ffn === "swiglu" ? 3 : 2, bb.ffnHidden, 1 + bb.registers + visible);
    return {
      heads: [{ module: DECODER, params: ir.decoder ? decoderParams(ir) : 0, section: "decoder" }],
      teacherFlops: 0,
      studentFlops: B * (encoder + (ir.decoder ? decoderFlops(ir) : 0)),
      activationFloats: B * activationFloats(ir, ir.crops.global.size),
    };
  },
  info(ir) {
    const d = ir.decoder;
    const { patches, visible } = maeTokens(ir);
    return {
      recipe: [
        ...(d
          ? ([["decoder", `${d.dim}×${d.depth}, ${d.heads} heads, ffn mlp ${d.ffnHidden}`]] as const)
          : []),
        ["visible", `${visible} of ${patches} patches per image`],
      ],
      loss: `mae ${ir.losses.mae?.weight ?? 0}${ir.losses.mae?.normPix ? " (per-patch normalised pixels)" : ""}`,
    };
  },
});
