// DINOv2 state-dict names (reference §1.3, hub/eval layout with flat `blocks.{i}`), one function per module. Graph
// parameters, manifest entries, checkpoint keys and safetensors files all use these names, so a DINOv2 or Franca
// checkpoint loads without a mapping table. A teacher copy prefixes every name with `teacher.`.

export interface AffineNames {
  readonly weight: string;
  readonly bias: string;
}

/** nn.Linear, nn.Conv2d and nn.LayerNorm all store `weight` and `bias`. */
export function affine(module: string): AffineNames {
  return { weight: `${module}.weight`, bias: `${module}.bias` };
}

export interface AttentionNames {
  readonly qkv: AffineNames;
  readonly proj: AffineNames;
}

export interface MlpNames {
  readonly kind: "mlp";
  readonly fc1: AffineNames;
  readonly fc2: AffineNames;
}

/** SwiGLUFFNFused keeps xformers' packed layout: w12 = [gate; value], then w3. */
export interface SwigluNames {
  readonly kind: "swiglu";
  readonly w12: AffineNames;
  readonly w3: AffineNames;
}

export interface BlockNames {
  readonly norm1: AffineNames;
  readonly attn: AttentionNames;
  readonly ls1: string;
  readonly norm2: AffineNames;
  readonly mlp: MlpNames | SwigluNames;
  readonly ls2: string;
}

export function attentionNames(module: string): AttentionNames {
  return { qkv: affine(`${module}.qkv`), proj: affine(`${module}.proj`) };
}

export function ffnNames(module: string, ffn: "mlp" | "swiglu"): MlpNames | SwigluNames {
  return ffn === "mlp"
    ? { kind: "mlp", fc1: affine(`${module}.fc1`), fc2: affine(`${module}.fc2`) }
    : { kind: "swiglu", w12: affine(`${module}.w12`), w3: affine(`${module}.w3`) };
}

/** LayerScale's per-channel vector. */
export function layerScaleName(module: string): string {
  return `${module}.gamma`;
}

export function blockNames(i: number, ffn: "mlp" | "swiglu", prefix = ""): BlockNames {
  const b = `${prefix}blocks.${i}`;
  return {
    norm1: affine(`${b}.norm1`),
    attn: attentionNames(`${b}.attn`),
    ls1: layerScaleName(`${b}.ls1`),
    norm2: affine(`${b}.norm2`),
    mlp: ffnNames(`${b}.mlp`, ffn),
    ls2: layerScaleName(`${b}.ls2`),
  };
}

export interface BackboneNames {
  readonly clsToken: string;
  readonly posEmbed: string;
  readonly registerTokens: string;
  readonly maskToken: string;
  readonly patchEmbed: AffineNames;
  readonly norm: AffineNames;
  block(i: number): BlockNames;
}

export function backboneNames(ffn: "mlp" | "swiglu", prefix = ""): BackboneNames {
  return {
    clsToken: `${prefix}cls_token`,
    posEmbed: `${prefix}pos_embed`,
    registerTokens: `${prefix}register_tokens`,
    maskToken: `${prefix}mask_token`,
    patchEmbed: affine(`${prefix}patch_embed.proj`),
    norm: affine(`${prefix}norm`),
    block: (i) => blockNames(i, ffn, prefix),
  };
}

/** RASA head tensors (§8.1), each [2, D]: frozen rounds in order, then the last-trained regressor. */
export function rasaNames(rounds: number): string[] {
  const names: string[] = [];
  for (let k = 0; k < rounds; k++) names.push(`rasa_head.pre_pos_layers.${k}.weight`);
  names.push("rasa_head.pos_pred.weight");
  return names;
}

/** Block index of a (flat) backbone parameter name, or undefined for names outside the blocks. */
export function blockIndexOf(name: string): number | undefined {
  const m = /(?:^|\.)blocks\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : undefined;
}
