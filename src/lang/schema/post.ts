// `post rasa { … }`: post-training steps.
import type { SectionSpec } from "./types.js";

export const postSection: SectionSpec = {
  name: "post",
  doc: "Post-training: RASA removes absolute spatial attributes from patch tokens (§8).",
  variants: [
    { name: "none", doc: "nothing after training", keys: [] },
    {
      name: "rasa",
      doc: "iterative linear position regressors, removed by projection (§8)",
      keys: ["rounds"],
    },
  ],
  defaultVariant: "none",
  keys: [
    {
      key: "rounds",
      kind: "int",
      min: 1,
      default: 9,
      doc: "RASA rounds (9 in rasa_franca.yml: 8 frozen projections + pos_pred)",
    },
  ],
};
