// `masking none|block|cyclic|random { … }`: iBOT masks on the student's global crops (§4), or MAE's random removal of
// patches from the encoder's input (He et al. 2022, "Masked Autoencoders Are Scalable Vision Learners", §3).
import type { SectionSpec } from "./types.js";

export const maskingSection: SectionSpec = {
  name: "masking",
  doc: "Which student global crops are masked for iBOT, and how (§4); for MAE, which patches the encoder never sees. Unwritten: block while the iBOT loss is on, none when it is off.",
  variants: [
    { name: "none", doc: "no masking (then the iBOT loss must be off)", keys: [] },
    {
      name: "block",
      doc: "DINOv2 MaskingGenerator: union of random rectangles, may undershoot (§4.2)",
      keys: ["ratio", "images", "min_aspect", "min_patches"],
    },
    {
      name: "cyclic",
      doc: "Franca CyclicMask: complement of one visible block, rolled on the torus, exact count (§4.3)",
      keys: ["ratio", "images", "min_aspect"],
    },
    {
      name: "random",
      doc: "MAE: per image a uniformly random ⌊P·(1 − ratio)⌋ of the P patches stay visible; the others are removed from the encoder's input (He et al. 2022, §3)",
      keys: ["ratio"],
    },
  ],
  defaultVariant: "block", // DINOv2's default config masks (iBOT is on by default)
  keys: [
    {
      key: "ratio",
      kind: "range",
      min: 0,
      max: 1,
      single: true,
      default: { lo: 0.1, hi: 0.5 },
      doc: "stratified mask-ratio range (DINOv2 0.1..0.5, Franca 0.1..0.65; §4.1); random: the removed fraction, one number (MAE 0.75)",
    },
    {
      key: "images",
      kind: "number",
      min: 0,
      max: 1,
      default: 0.5,
      doc: "fraction of global crops that are masked (exactly int(2B·images))",
    },
    {
      key: "min_aspect",
      kind: "number",
      min: 0,
      minExclusive: true,
      max: 1,
      default: 0.3,
      doc: "block aspect ratio range min_aspect..1/min_aspect",
    },
    {
      key: "min_patches",
      kind: "int",
      min: 1,
      default: 4,
      unit: "patches",
      doc: "smallest block area tried (block only)",
    },
  ],
};
