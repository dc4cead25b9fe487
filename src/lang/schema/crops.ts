// `crops { global { … } local { … } augment { … } }`: multi-crop augmentation (§5).
import type { KeySpec, SectionSpec } from "./types.js";

function cropSet(
  name: "global" | "local",
  count: number,
  size: number,
  scale: { lo: number; hi: number },
  what: string,
): KeySpec {
  return {
    key: name,
    kind: "section",
    doc: what,
    section: {
      name,
      doc: what,
      keys: [
        {
          key: "count",
          kind: "int",
          min: name === "global" ? 1 : 0,
          default: count,
          doc: `number of ${name} crops per image`,
        },
        {
          key: "size",
          kind: "int",
          min: 1,
          default: size,
          unit: "px",
          doc: "RandomResizedCrop output side; a multiple of backbone.patch",
        },
        {
          key: "scale",
          kind: "range",
          min: 0,
          max: 1,
          default: scale,
          doc: "RandomResizedCrop area fraction (ratio 3/4..4/3)",
        },
      ],
    },
  };
}

const perCrop = "a probability, or [global1, global2, local]";

export const cropsSection: SectionSpec = {
  name: "crops",
  doc: "Two global crops (teacher and student) and local crops (student only), with their augmentations (§5).",
  keys: [
    cropSet("global", 2, 224, { lo: 0.32, hi: 1.0 }, "global crops: seen by teacher and student"),
    cropSet("local", 8, 96, { lo: 0.05, hi: 0.32 }, "local crops: seen by the student only"),
    {
      key: "augment",
      kind: "section",
      doc: "photometric augmentation; probabilities are per crop kind",
      section: {
        name: "augment",
        doc: "photometric augmentation (§5)",
        keys: [
          { key: "flip", kind: "per_crop", min: 0, max: 1, default: 0.5, doc: `horizontal flip: ${perCrop}` },
          {
            key: "grayscale",
            kind: "per_crop",
            min: 0,
            max: 1,
            default: 0.2,
            doc: `RandomGrayscale: ${perCrop}`,
          },
          {
            key: "jitter",
            kind: "section",
            doc: "ColorJitter (ops in random order)",
            section: {
              name: "jitter",
              doc: "ColorJitter",
              keys: [
                { key: "p", kind: "per_crop", min: 0, max: 1, default: 0.8, doc: `probability: ${perCrop}` },
                { key: "brightness", kind: "number", min: 0, default: 0.4, doc: "brightness factor range ±" },
                { key: "contrast", kind: "number", min: 0, default: 0.4, doc: "contrast factor range ±" },
                { key: "saturation", kind: "number", min: 0, default: 0.2, doc: "saturation factor range ±" },
                { key: "hue", kind: "number", min: 0, max: 0.5, default: 0.1, doc: "hue shift range ±" },
              ],
            },
          },
          {
            key: "blur",
            kind: "section",
            doc: "Gaussian blur",
            section: {
              name: "blur",
              doc: "Gaussian blur, kernel 9",
              keys: [
                {
                  key: "p",
                  kind: "per_crop",
                  min: 0,
                  max: 1,
                  default: [0.0, 0.9, 0.5],
                  doc: `effective probability: ${perCrop} (DINOv2 inverts its nominal 1.0/0.1/0.5, §5)`,
                },
                { key: "sigma", kind: "range", min: 0, default: { lo: 0.1, hi: 2.0 }, doc: "σ ~ U(lo, hi)" },
                { key: "kernel", kind: "int", min: 1, default: 9, unit: "px", doc: "kernel side (odd)" },
              ],
            },
          },
          {
            key: "solarize",
            kind: "section",
            doc: "RandomSolarize",
            section: {
              name: "solarize",
              doc: "RandomSolarize",
              keys: [
                {
                  key: "p",
                  kind: "per_crop",
                  min: 0,
                  max: 1,
                  default: [0.0, 0.2, 0.0],
                  doc: `probability: ${perCrop} (second global crop only, §5)`,
                },
                {
                  key: "threshold",
                  kind: "number",
                  min: 0,
                  max: 255,
                  default: 128,
                  doc: "pixel value (0..255) above which pixels are inverted",
                },
              ],
            },
          },
        ],
      },
    },
  ],
};
