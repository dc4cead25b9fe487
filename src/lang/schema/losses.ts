// `losses { dino { … } ibot { … } koleo { … } }` (§3).
import type { SectionSpec } from "./types.js";

export const lossesSection: SectionSpec = {
  name: "losses",
  doc: "Loss terms and their teacher targets (§3); a weight of 0 turns a term off.",
  keys: [
    {
      key: "dino",
      kind: "section",
      doc: "cross-view CLS loss",
      section: {
        name: "dino",
        doc: "DINO CLS loss (§3.3)",
        keys: [
          { key: "weight", kind: "number", min: 0, default: 1.0, doc: "loss weight" },
          {
            key: "targets",
            kind: "enum",
            values: ["centering", "sinkhorn"],
            default: "centering",
            doc: "teacher targets: softmax with a centre, or Sinkhorn–Knopp (§3.2)",
          },
          { key: "sinkhorn_iterations", kind: "int", min: 1, default: 3, doc: "Sinkhorn–Knopp iterations" },
          {
            key: "center_momentum",
            kind: "number",
            min: 0,
            max: 1,
            default: 0.9,
            doc: "EMA momentum of the centre (centering targets)",
          },
          {
            key: "student_temp",
            kind: "number",
            min: 0,
            minExclusive: true,
            default: 0.1,
            doc: "student softmax temperature τs",
          },
          {
            key: "teacher_temp",
            kind: "schedule",
            min: 0,
            minExclusive: true,
            default: { shape: "linear", from: 0.04, to: 0.07, over: { amount: 30, unit: "epochs" } },
            doc: "teacher temperature τt schedule (linear 0.04→0.07 over 30 epochs, then constant; §7.1)",
          },
        ],
      },
    },
    {
      key: "ibot",
      kind: "section",
      doc: "masked-patch loss",
      section: {
        name: "ibot",
        doc: "iBOT patch loss (§3.4); unset keys take the DINO loss's values",
        keys: [
          {
            key: "weight",
            kind: "number",
            min: 0,
            default: 1.0,
            doc: "loss weight; 0 = no iBOT (and no iBOT head)",
          },
          {
            key: "targets",
            kind: "enum",
            values: ["centering", "sinkhorn"],
            default: { sameAs: "losses.dino.targets" },
            doc: "teacher targets",
          },
          {
            key: "sinkhorn_iterations",
            kind: "int",
            min: 1,
            default: { sameAs: "losses.dino.sinkhorn_iterations" },
            doc: "Sinkhorn–Knopp iterations",
          },
          {
            key: "center_momentum",
            kind: "number",
            min: 0,
            max: 1,
            default: { sameAs: "losses.dino.center_momentum" },
            doc: "EMA momentum of the centre",
          },
          {
            key: "student_temp",
            kind: "number",
            min: 0,
            minExclusive: true,
            default: { sameAs: "losses.dino.student_temp" },
            doc: "student temperature",
          },
          {
            key: "teacher_temp",
            kind: "schedule",
            min: 0,
            minExclusive: true,
            default: { sameAs: "losses.dino.teacher_temp" },
            doc: "teacher temperature schedule",
          },
        ],
      },
    },
    {
      key: "koleo",
      kind: "section",
      doc: "KoLeo regulariser on the student global CLS",
      section: {
        name: "koleo",
        doc: "KoLeo (§3.5)",
        keys: [
          {
            key: "weight",
            kind: "number",
            min: 0,
            default: 0.1,
            doc: "loss weight (0.1 in both repos); 0 = off",
          },
        ],
      },
    },
  ],
};
