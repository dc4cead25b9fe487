// `teacher { momentum … }`: the EMA teacher (§6).
import type { SectionSpec } from "./types.js";

export const teacherSection: SectionSpec = {
  name: "teacher",
  doc: "The EMA teacher: θT ← m·θT + (1−m)·θS after every step (§6).",
  keys: [
    {
      key: "momentum",
      kind: "schedule",
      min: 0,
      max: 1,
      default: { shape: "cosine", from: 0.992, to: 1.0 },
      doc: "EMA momentum m (cosine 0.992→1.0 over training by default; 0.994 in ViT/14 configs)",
    },
  ],
};
