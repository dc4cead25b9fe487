// `export { … }`: the inference graph.
import type { SectionSpec } from "./types.js";

export const exportSection: SectionSpec = {
  name: "export",
  doc: "The exported inference model: resolution and outputs.",
  keys: [
    {
      key: "resolution",
      kind: "int",
      min: 1,
      default: 224,
      unit: "px",
      doc: "square input side of the exported graph; a multiple of backbone.patch",
    },
    {
      key: "outputs",
      kind: "list",
      items: "name",
      values: ["cls", "patch_tokens", "registers", "patch_tokens_rasa"],
      default: ["cls", "patch_tokens"],
      doc: "graph outputs: normalised CLS, patch tokens, register tokens, RASA-cleaned patch tokens",
    },
  ],
};
