// A parameter as data: its state-dict name, shape, initialiser and optimiser grouping (reference §7.2). Lowering
// declares graph parameters from these records; the manifest, the initialiser and the weights loader read the same
// records, so the four never disagree about a name or a shape.

export type InitRule =
  | { readonly kind: "constant"; readonly value: number }
  | { readonly kind: "normal"; readonly std: number }
  /** truncated at absolute bounds ±`bound` (timm's trunc_normal_ with a=-2, b=2) */
  | { readonly kind: "truncNormal"; readonly std: number; readonly bound: number }
  | { readonly kind: "uniform"; readonly bound: number };

/** Sub-modules clipped separately (§7.2: backbone, dino_head, ibot_head each to its own norm). */
export type ParamGroup = string;

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: InitRule;
  /** false for parameters the optimiser never updates (e.g. frozen RASA rounds) */
  readonly trainable: boolean;
  /** weight decay applies (§7.2: not to `.bias`, `norm`, `gamma` names) */
  readonly decay: boolean;
  /** layer-wise decay × patch-embed multiplier (§7.2) */
  readonly lrMultiplier: number;
  readonly group: ParamGroup;
  /** DINOv2 `last_layer` / Franca `last_layers`: lr 0 while the last layer is frozen (§7.1) */
  readonly lastLayer: boolean;
}

/** §7.2 no-decay rule, by name. */
export function decays(name: string): boolean {
  return !(name.endsWith(".bias") || name.includes("norm") || name.includes("gamma"));
}

/** §7.1: names containing `last_layer` follow the frozen-then-normal last-layer lr. */
export function isLastLayer(name: string): boolean {
  return name.includes("last_layer");
}

const EMBEDDING = /(?:^|\.)(?:pos_embed|patch_embed|mask_token|cls_token|register_tokens)(?:\.|$)/;

/**
 * DINOv2's get_vit_lr_decay_rate for a backbone name: layer 0 for the embeddings, i + 1 for block i, L + 1 for
 * the rest (final norm), giving rate^(L + 1 − layer); then × patch_embed_lr for patch_embed.* (§7.2).
 */
export function backboneLrMultiplier(
  name: string,
  depth: number,
  layerDecay: number,
  patchEmbedLr: number,
): number {
  let layer = depth + 1;
  const block = /(?:^|\.)blocks\.(\d+)\./.exec(name);
  if (EMBEDDING.test(name)) layer = 0;
  else if (block) layer = Number(block[1]) + 1;
  const mult = layerDecay ** (depth + 1 - layer);
  return name.includes("patch_embed") ? mult * patchEmbedLr : mult;
}

/** A parameter record with the §7.2 defaults for `name` (decay by name, multiplier 1). */
export function paramSpec(
  name: string,
  shape: readonly number[],
  init: InitRule,
  group: ParamGroup,
  overrides: Partial<Pick<ParamSpec, "trainable" | "decay" | "lrMultiplier" | "lastLayer">> = {},
): ParamSpec {
  return {
    name,
    shape,
    init,
    trainable: true,
    decay: decays(name),
    lrMultiplier: 1,
    group,
    lastLayer: isLastLayer(name),
    ...overrides,
  };
}

export function paramElements(p: ParamSpec): number {
  return p.shape.reduce((a, b) => a * b, 1);
}
