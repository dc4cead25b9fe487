// `decoder { dim, depth, heads, mlp_ratio }`: the MAE decoder (He et al. 2022, §3): a light transformer of its own
// width that sees the encoded visible tokens and a mask token at every removed position, and predicts the pixels of
// each patch. Read by the `mae` loss term only.
import type { SectionSpec } from "./types.js";

export const decoderSection: SectionSpec = {
  name: "decoder",
  doc: "The MAE decoder (He et al. 2022, §3): its own embedding, mask token, fixed sin-cos position table, pre-norm blocks and a linear pixel predictor. Used only by `losses { mae }`.",
  keys: [
    {
      key: "dim",
      kind: "int",
      min: 1,
      default: 512,
      doc: "decoder width (512 in every released MAE: decoder_embed_dim)",
    },
    { key: "depth", kind: "int", min: 1, default: 8, doc: "decoder blocks (8: decoder_depth)" },
    {
      key: "heads",
      kind: "int",
      min: 1,
      default: 16,
      doc: "attention heads of the decoder blocks; dim must be divisible by heads (16: decoder_num_heads)",
    },
    {
      key: "mlp_ratio",
      kind: "number",
      min: 0,
      minExclusive: true,
      default: 4,
      doc: "FFN width factor of the decoder blocks (4, as the encoder's)",
    },
  ],
};
