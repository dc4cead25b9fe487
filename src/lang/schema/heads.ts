// `heads { dino { … } ibot { … } }`: projection heads (§2).
import type { KeySpec, SectionSpec } from "./types.js";

function headKeys(bottleneck: number): KeySpec[] {
  return [
    {
      key: "layers",
      kind: "int",
      min: 1,
      default: 3,
      doc: "linears in the MLP (Linear→GELU→…→Linear to the bottleneck)",
    },
    { key: "hidden", kind: "int", min: 1, default: 2048, doc: "MLP hidden width" },
    {
      key: "bottleneck",
      kind: "int",
      min: 1,
      default: bottleneck,
      doc: "MLP output width before the prototypes",
    },
    {
      key: "prototypes",
      kind: "int",
      min: 1,
      default: 65536,
      doc: "K of the full-width level: outputs of the weight-normed last layer",
    },
    {
      key: "l2norm",
      kind: "bool",
      default: true,
      doc: "L2-normalise the bottleneck (DINOv2 true; Franca MRL heads false, §2.2)",
    },
    {
      key: "nested",
      kind: "int",
      min: 1,
      default: 1,
      doc: "Matryoshka levels n: widths D/2^(n-1)…D, each with its own head on the first d channels and K·d/D prototypes (§2.2)",
    },
    {
      key: "gelu_after_bottleneck",
      kind: "bool",
      default: false,
      doc: "GELU after the bottleneck linear (Franca MRL heads)",
    },
  ];
}

export const headsSection: SectionSpec = {
  name: "heads",
  doc: "DINO (CLS) and iBOT (patch) projection heads; nested > 1 makes Franca's Matryoshka head.",
  keys: [
    {
      key: "dino",
      kind: "section",
      doc: "head on the CLS token",
      section: { name: "dino", doc: "DINO head (§2.1)", keys: headKeys(256) },
    },
    {
      key: "ibot",
      kind: "section",
      doc: "head on masked patch tokens",
      section: {
        name: "ibot",
        doc: "iBOT head (§2.1); when not separate, iBOT uses the DINO head",
        keys: [
          {
            key: "separate",
            kind: "bool",
            default: false,
            doc: "own head (true in DINOv2 vitl14/g14 and Franca) or the DINO head",
          },
          ...headKeys(256),
        ],
      },
    },
  ],
};
