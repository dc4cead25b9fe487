// The ViT's parameters as data (reference §1.3 names and shapes, §1.6 initialisers, §7.2 groups), in state-dict
// order. A teacher copy uses the prefix `teacher.`; its records are identical otherwise. `init mae` follows
// facebookresearch/mae models_mae.py initialize_weights instead (xavier-uniform linears and patch embedding, normal
// 0.02 CLS); a `pos_embed sincos` backbone has no pos_embed parameter (a fixed table, sincos.ts).
import type { Backbone, ModelIR, Optim } from "../../ir/model.js";
import { backboneNames, type AffineNames } from "../names.js";
import { backboneLrMultiplier, paramSpec, type InitRule, type ParamSpec } from "../params.js";

const LINEAR_WEIGHT: InitRule = { kind: "truncNormal", std: 0.02, bound: 2 };
const ZERO: InitRule = { kind: "constant", value: 0 };
const ONE: InitRule = { kind: "constant", value: 1 };

/** torch.nn.init.xavier_uniform_ on a [out, in] weight: U(±√(6 / (in + out))). */
export function xavierUniform(outF: number, inF: number): InitRule {
  return { kind: "uniform", bound: Math.sqrt(6 / (inF + outF)) };
}

/**
 * Whether the student's backbone has a mask_token: block and cyclic masking replace masked patch tokens with it
 * (§4.4); MAE's random masking removes them from the encoder instead (its decoder has a mask token of its own).
 */
export function backboneMaskToken(ir: ModelIR): boolean {
  return ir.masking.kind !== "random";
}

export interface BackboneParamOptions {
  /** `teacher.` for the EMA copy */
  readonly prefix?: string;
  /** lr multipliers (layer decay, patch-embed lr); 1 everywhere when absent */
  readonly optim?: Pick<Optim, "layerDecay" | "patchEmbedLr">;
  /** sub-module for gradient clipping; default "backbone" */
  readonly group?: string;
  /** image channels the patch embedding reads (input.channels); default 3 */
  readonly channels?: number;
  /** false leaves out mask_token, which only the masked student uses (inference graphs); default true */
  readonly maskToken?: boolean;
}

export function backboneParamSpecs(bb: Backbone, opts: BackboneParamOptions = {}): ParamSpec[] {
  const prefix = opts.prefix ?? "";
  const group = opts.group ?? "backbone";
  const names = backboneNames(bb.ffn, prefix);
  const D = bb.dim;
  const out: ParamSpec[] = [];
  const add = (name: string, shape: number[], init: InitRule): void => {
    const lrMultiplier = opts.optim
      ? backboneLrMultiplier(
          name.slice(prefix.length),
          bb.depth,
          opts.optim.layerDecay,
          opts.optim.patchEmbedLr,
        )
      : 1;
    out.push(paramSpec(name, shape, init, group, { lrMultiplier }));
  };
  const mae = bb.init === "mae";
  const linear = (n: AffineNames, outF: number, inF: number, bias = true): void => {
    add(n.weight, [outF, inF], mae ? xavierUniform(outF, inF) : LINEAR_WEIGHT);
    if (bias) add(n.bias, [outF], ZERO);
  };
  const layerNorm = (n: AffineNames): void => {
    add(n.weight, [D], ONE);
    add(n.bias, [D], ZERO);
  };

  add(names.clsToken, [1, 1, D], { kind: "normal", std: mae ? 0.02 : 1e-6 });
  if (bb.posEmbed === "learned")
    add(names.posEmbed, [1, 1 + bb.posGrid * bb.posGrid, D], { kind: "truncNormal", std: 0.02, bound: 2 });
  if (bb.registers > 0) add(names.registerTokens, [1, bb.registers, D], { kind: "normal", std: 1e-6 });
  if (opts.maskToken ?? true) add(names.maskToken, [1, D], ZERO);
  // nn.Conv2d default init: kaiming_uniform(a=√5) → U(±1/√fan_in) for weight and bias
  const channels = opts.channels ?? 3;
  const convBound = 1 / Math.sqrt(channels * bb.patch * bb.patch);
  // MAE initialises the patch embedding like a Linear on its [D, C·p·p] view; its bias keeps the Conv2d default
  const fanIn = channels * bb.patch * bb.patch;
  add(
    names.patchEmbed.weight,
    [D, channels, bb.patch, bb.patch],
    mae ? xavierUniform(D, fanIn) : { kind: "uniform", bound: convBound },
  );
  add(names.patchEmbed.bias, [D], { kind: "uniform", bound: convBound });
  for (let i = 0; i < bb.depth; i++) {
    const b = names.block(i);
    layerNorm(b.norm1);
    linear(b.attn.qkv, 3 * D, D, bb.qkvBias);
    linear(b.attn.proj, D, D);
    if (bb.layerscale > 0) add(b.ls1, [D], { kind: "constant", value: bb.layerscale });
    layerNorm(b.norm2);
    if (b.mlp.kind === "mlp") {
      linear(b.mlp.fc1, bb.ffnHidden, D);
      linear(b.mlp.fc2, D, bb.ffnHidden);
    } else {
      linear(b.mlp.w12, 2 * bb.ffnHidden, D);
      linear(b.mlp.w3, D, bb.ffnHidden);
    }
    if (bb.layerscale > 0) add(b.ls2, [D], { kind: "constant", value: bb.layerscale });
  }
  layerNorm(names.norm);
  return out;
}
