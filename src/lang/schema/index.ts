// All sections of a model, in the order `vfmc fmt`, `vfmc info` and docs/language.md list them.
import { backboneSection } from "./backbone.js";
import { cropsSection } from "./crops.js";
import { decoderSection } from "./decoder.js";
import { exportSection } from "./export.js";
import { headsSection } from "./heads.js";
import { inputSection } from "./input.js";
import { lossesSection } from "./losses.js";
import { maskingSection } from "./masking.js";
import { optimSection } from "./optim.js";
import { postSection } from "./post.js";
import { teacherSection } from "./teacher.js";
import { trainSection } from "./train.js";
import type { KeySpec, SectionSpec } from "./types.js";

export type { DefaultValue, KeyKind, KeySpec, ScheduleDefault, SectionSpec, VariantSpec } from "./types.js";

const sections: readonly SectionSpec[] = [
  inputSection,
  backboneSection,
  cropsSection,
  maskingSection,
  headsSection,
  decoderSection,
  lossesSection,
  teacherSection,
  optimSection,
  trainSection,
  postSection,
  exportSection,
];

/** The model body as a section whose keys are the top-level sections. */
export const modelSchema: SectionSpec = {
  name: "model",
  doc: "A model: one entry per section.",
  keys: sections.map((s): KeySpec => ({ key: s.name, kind: "section", doc: s.doc, section: s })),
};

/** The key spec at a dotted path ("backbone.dim"), or undefined. */
export function keyAt(path: string): KeySpec | undefined {
  let section: SectionSpec | undefined = modelSchema;
  let found: KeySpec | undefined;
  for (const part of path.split(".")) {
    found = section?.keys.find((k) => k.key === part);
    section = found?.section;
  }
  return found;
}
