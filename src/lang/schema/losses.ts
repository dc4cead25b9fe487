// `losses { dino { … } ibot { … } koleo { … } }` (§3), or `losses { mae { … } }` (He et al. 2022). Writing `mae` makes
// the model a masked autoencoder: its only term is the reconstruction loss (no teacher, one view).
import type { SectionSpec } from "./types.js";

export const lossesSection: SectionSpec = {
  name: "losses",
  doc: "Loss terms and their teacher targets (§3); a weight of 0 turns a term off. Without `mae` the terms are dino, ibot and koleo; with `mae` the model is a masked autoencoder and that is its only term.",
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
    {
      key: "mae",
      kind: "section",
      doc: "masked-autoencoder reconstruction loss (makes the model an MAE)",
      section: {
        name: "mae",
        doc: "MAE reconstruction loss: mean squared error of the decoder's pixels on the removed patches (He et al. 2022, §3)",
        keys: [
          { key: "weight", kind: "number", min: 0, minExclusive: true, default: 1.0, doc: "loss weight" },
          {
            key: "norm_pix",
            kind: "bool",
            default: false,
            doc: "targets are each patch's pixels normalised by their own mean and (unbiased) variance, eps 1e-6 (MAE's --norm_pix_loss; off by default in main_pretrain.py, on in its PRETRAIN.md recipe)",
          },
        ],
      },
    },
  ],
};
