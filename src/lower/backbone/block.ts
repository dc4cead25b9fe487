// One pre-norm transformer block (reference §1.2 step 6): x + γ1·attn(LN1 x), then x + γ2·ffn(LN2 x). LayerNorm
// eps 1e-6 (§12.1); LayerScale only when the model has it. Drop path is a training concern of the train step.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import { attention, type AttentionParams } from "./attention.js";
import { ffn, type FfnParams } from "./ffn.js";

export const LN_EPS = 1e-6;

export interface BlockParams {
  readonly norm1: [Value, Value];
  readonly attn: AttentionParams;
  readonly ls1?: Value;
  readonly norm2: [Value, Value];
  readonly mlp: FfnParams;
  readonly ls2?: Value;
}

export function layerNorm(g: GraphBuilder, x: Value, [weight, bias]: [Value, Value]): Value {
  return g.layerNorm(x, weight, bias, -1, LN_EPS);
}

/**
 * A block as its two residual branches, LayerScale applied; vitForward adds each to the running tokens (the
 * training step's stochastic depth scales them first), attention branch then FFN branch.
 */
export interface BlockBranches {
  attn(x: Value): Value;
  ffn(x: Value): Value;
}

export function blockBranches(g: GraphBuilder, p: BlockParams, heads: number): BlockBranches {
  const scale = (y: Value, gamma?: Value): Value => (gamma ? g.mul(y, gamma) : y);
  return {
    attn: (x) => scale(attention(g, layerNorm(g, x, p.norm1), p.attn, heads), p.ls1),
    ffn: (x) => scale(ffn(g, layerNorm(g, x, p.norm2), p.mlp), p.ls2),
  };
}
