// The DINOv2/Franca ViT forward (reference §1.2), shared by the inference graph, the student (with masks) and the
// teacher (without) of the training step. Parameters are declared from backboneParamSpecs, so graph values carry
// state-dict names; `declare` decides whether they are constants (inference) or graph inputs (training).
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { Backbone } from "../../ir/model.js";
import { assert } from "../../diagnostics/diagnostic.js";
import { backboneNames, type AffineNames } from "../names.js";
import type { ParamSpec } from "../params.js";
import { noSources, type At } from "../source.js";
import { blockBranches, layerNorm, type BlockParams } from "./block.js";
import type { FfnParams } from "./ffn.js";
import { backboneParamSpecs, type BackboneParamOptions } from "./params.js";
import { patchEmbed } from "./patch-embed.js";
import { resizePosEmbed } from "./pos-embed.js";
import { sincosPosEmbed } from "./sincos.js";

export interface BackboneParams {
  readonly clsToken: Value; // [1, 1, D]
  /** [1, 1 + M², D]; absent for a `pos_embed sincos` backbone, whose fixed table is a graph constant */
  readonly posEmbed?: Value;
  readonly registerTokens?: Value; // [1, R, D]
  readonly maskToken?: Value; // [1, D]; absent in inference graphs
  readonly patchEmbed: [Value, Value];
  readonly blocks: readonly BlockParams[];
  readonly norm: [Value, Value];
}

/** Turns a parameter record into a graph value (a constant with its data, or a named graph input). */
export type DeclareParam = (spec: ParamSpec) => Value;

export interface DeclaredBackbone {
  readonly params: BackboneParams;
  readonly specs: readonly ParamSpec[];
}

/**
 * Declares the backbone's parameters under their DINOv2 names (prefix `teacher.` for the EMA copy) and returns
 * them grouped by module for vitForward.
 */
export function backboneParams(
  bb: Backbone,
  declare: DeclareParam,
  opts: BackboneParamOptions = {},
): DeclaredBackbone {
  const specs = backboneParamSpecs(bb, opts);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, Value>();
  for (const s of specs) values.set(s.name, declare(s));
  const get = (name: string): Value => {
    const v = values.get(name);
    assert(v, `backbone parameter ${name} was not declared`);
    return v;
  };
  const opt = (name: string): Value | undefined => (byName.has(name) ? get(name) : undefined);
  const pair = (n: AffineNames): [Value, Value] => [get(n.weight), get(n.bias)];
  const names = backboneNames(bb.ffn, opts.prefix ?? "");
  const blocks: BlockParams[] = [];
  for (let i = 0; i < bb.depth; i++) {
    const b = names.block(i);
    const qkvBias = opt(b.attn.qkv.bias);
    const ls1 = opt(b.ls1);
    const ls2 = opt(b.ls2);
    const mlp: FfnParams =
      b.mlp.kind === "mlp"
        ? { kind: "mlp", fc1: pair(b.mlp.fc1), fc2: pair(b.mlp.fc2) }
        : { kind: "swiglu", w12: pair(b.mlp.w12), w3: pair(b.mlp.w3) };
    blocks.push({
      norm1: pair(b.norm1),
      attn: {
        qkvWeight: get(b.attn.qkv.weight),
        ...(qkvBias ? { qkvBias } : {}),
        projWeight: get(b.attn.proj.weight),
        projBias: get(b.attn.proj.bias),
      },
      ...(ls1 ? { ls1 } : {}),
      norm2: pair(b.norm2),
      mlp,
      ...(ls2 ? { ls2 } : {}),
    });
  }
  const registerTokens = opt(names.registerTokens);
  const maskToken = opt(names.maskToken);
  const posEmbed = opt(names.posEmbed);
  return {
    specs,
    params: {
      clsToken: get(names.clsToken),
      ...(posEmbed ? { posEmbed } : {}),
      ...(registerTokens ? { registerTokens } : {}),
      ...(maskToken ? { maskToken } : {}),
      patchEmbed: pair(names.patchEmbed),
      blocks,
      norm: pair(names.norm),
    },
  };
}

export interface VitOptions {
  /** bool [N, P]: patch tokens replaced by mask_token (student global crops, §4.4) */
  readonly masks?: Value;
  /**
   * int64 [N, K]: the only patches the blocks see, in this order (MAE's encoder, He et al. 2022 §3): position
   * embedding added first, the others removed, then the CLS in front (models_mae.py forward_encoder). Static N.
   */
  readonly keep?: Value;
  /** patch grid of `pixels`; checked against its shape */
  readonly gridH?: number;
  readonly gridW?: number;
  /**
   * Combines a block's input with one residual branch; default x + branch. The training step passes its
   * stochastic-depth form here (§1.4), block index and branch name included.
   */
  readonly residual?: (x: Value, branch: Value, blockIndex: number, which: "attn" | "ffn") => Value;
  /** attributes nodes to the spec (patch embedding, masking, position grid, each block, final norm) */
  readonly at?: At;
}

export interface VitOutputs {
  readonly cls: Value; // [N, D], after the final norm
  readonly registers?: Value; // [N, R, D]
  readonly patchTokens: Value; // [N, P, D]
  /** all tokens after the final norm [N, T, D] and before it */
  readonly normed: Value;
  readonly prenorm: Value;
}

/** pixels: normalised NCHW [N, C, H, W] with H, W multiples of the patch. */
export function vitForward(
  g: GraphBuilder,
  bb: Backbone,
  p: BackboneParams,
  pixels: Value,
  opts: VitOptions = {},
): VitOutputs {
  const gh = (pixels.shape[2] as number) / bb.patch;
  const gw = (pixels.shape[3] as number) / bb.patch;
  assert(
    opts.gridH === undefined || opts.gridH === gh,
    `gridH ${opts.gridH} does not match the pixels (${gh})`,
  );
  assert(
    opts.gridW === undefined || opts.gridW === gw,
    `gridW ${opts.gridW} does not match the pixels (${gw})`,
  );
  const n = pixels.shape[0]!;
  const d = bb.dim;
  const r = bb.registers;
  const np = gh * gw;
  const kept = opts.keep ? (opts.keep.shape[1] as number) : np;
  const t = 1 + r + kept;

  const at = opts.at ?? noSources;
  let patches = at("backbone.patch", () => patchEmbed(g, pixels, ...p.patchEmbed, bb.patch)); // [N, P, D]
  if (opts.masks) {
    const masks = opts.masks;
    assert(p.maskToken, "masked forward without a mask_token parameter");
    const token = p.maskToken;
    patches = at("masking", () => g.where(g.reshape(masks, [n, np, 1]), token, patches));
  }

  // [CLS + pos₀, registers (no position embedding, §12.6), patches + pos]: the patches are zero-padded in front
  // and one [1, T, D] addend carries everything that is shared across the batch, so no op has to broadcast a
  // parameter to the symbolic batch size.
  const pos = at("backbone.pos_grid", () =>
    resizePosEmbed(
      g,
      p.posEmbed ?? sincosPosEmbed(g, bb.dim, bb.posGrid),
      { interpolate: bb.interpolate, offset: bb.interpolateOffset },
      gh,
      gw,
    ),
  );
  const keep = opts.keep;
  let x = keep
    ? at("masking", () => {
        assert(typeof n === "number", "the visible-token gather needs a static batch");
        const withPos = g.add(patches, g.slice(pos, [1], [1 + np], [1])); // [N, P, D]
        const offsets = g.constant(
          BigInt64Array.from({ length: n }, (_, b) => BigInt(b * np)),
          "int64",
          [n, 1],
        );
        const rows = g.reshape(g.add(keep, offsets), [n * kept]);
        const visible = g.reshape(g.gather(g.reshape(withPos, [n * np, d]), rows, 0), [n, kept, d]);
        const head = g.concat(
          [g.add(p.clsToken, g.slice(pos, [0], [1], [1])), ...(p.registerTokens ? [p.registerTokens] : [])],
          1,
        ); // [1, 1 + R, D]
        return g.add(g.pad(visible, [0, 1 + r, 0, 0, 0, 0]), g.pad(head, [0, 0, 0, 0, kept, 0])); // [N, T, D]
      })
    : at("backbone", () => {
        const head = g.add(p.clsToken, g.slice(pos, [0], [1], [1]));
        const addend = g.concat(
          [head, ...(p.registerTokens ? [p.registerTokens] : []), g.slice(pos, [1], [1 + np], [1])],
          1,
        );
        return g.add(g.pad(patches, [0, 1 + r, 0, 0, 0, 0]), addend); // [N, T, D]
      });

  const residual = opts.residual ?? ((a: Value, b: Value) => g.add(a, b));
  p.blocks.forEach((bp, i) =>
    at(
      "backbone.depth",
      () => {
        const br = blockBranches(g, bp, bb.heads);
        x = residual(x, br.attn(x), i, "attn");
        x = residual(x, br.ffn(x), i, "ffn");
      },
      `block ${i}`,
    ),
  );

  const prenorm = x;
  return at(
    "backbone",
    () => {
      const normed = layerNorm(g, x, p.norm);
      const cls = g.reshape(g.slice(normed, [0], [1], [1]), [n, d]);
      const registers = r > 0 ? g.slice(normed, [1], [1 + r], [1]) : undefined;
      const patchTokens = g.slice(normed, [1 + r], [t], [1]);
      return { cls, ...(registers ? { registers } : {}), patchTokens, normed, prenorm };
    },
    "norm",
  );
}
