// `input { … }`: what the network sees after preprocessing.
import type { SectionSpec } from "./types.js";

export const inputSection: SectionSpec = {
  name: "input",
  doc: "The image the backbone is trained on and exported for: square size, channels and normalisation.",
  keys: [
    {
      key: "size",
      kind: "int",
      min: 1,
      default: 224,
      unit: "px",
      doc: "square input side; a multiple of backbone.patch (§1.2 asserts it)",
    },
    { key: "channels", kind: "int", min: 1, default: 3, doc: "image channels fed to the patch embedding" },
    {
      key: "mean",
      kind: "list",
      items: "number",
      length: "channels",
      default: [0.485, 0.456, 0.406],
      doc: "per-channel mean subtracted after ToTensor (ImageNet values, §5)",
    },
    {
      key: "std",
      kind: "list",
      items: "number",
      length: "channels",
      default: [0.229, 0.224, 0.225],
      doc: "per-channel std divided after the mean (ImageNet values, §5); every entry > 0",
    },
  ],
};
