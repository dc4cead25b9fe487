// Matryoshka truncation of an inference graph (reference §2.2, F+ variant): a nested model's level of width d is
// the first d channels of the backbone features, so an export for level d slices every feature output (CLS, patch
// tokens, registers, RASA-cleaned patch tokens) to its first d channels. The slice goes after the final LayerNorm
// and after RASA, exactly where a consumer of the full-width export would cut.
import type { GraphBuilder } from "../../graph/builder.js";
import type { ModelIR } from "../../ir/model.js";
import { DiagnosticBag, DiagnosticError } from "../../diagnostics/diagnostic.js";

export const TRUNCATABLE_OUTPUTS: readonly string[] = [
  "cls",
  "patch_tokens",
  "registers",
  "patch_tokens_rasa",
];

/** The widths a model can be truncated to: its nested levels (the full width when not nested). */
export function truncationWidths(ir: ModelIR): number[] {
  return ir.heads.dino.nested > 1 ? ir.heads.dino.levels.map((l) => l.width) : [ir.backbone.dim];
}

/** Checks `width` is one of the model's levels (VFM4050 otherwise). */
export function checkTruncation(ir: ModelIR, width: number): void {
  const widths = truncationWidths(ir);
  if (widths.includes(width)) return;
  const bag = new DiagnosticBag();
  bag.report("DimsNotALevel", ir.spans.get("heads.dino.nested"), [width, ir.name, widths.join(", ")]);
  throw new DiagnosticError(bag.items);
}

/**
 * Replaces each feature output of `g` (names in TRUNCATABLE_OUTPUTS, last axis `dim`) by its first `width`
 * channels. Call after lowering the inference graph and before emission.
 */
export function truncateFeatureOutputs(g: GraphBuilder, width: number, dim: number): void {
  if (width === dim) return;
  for (const o of g.outputs) {
    const v = o.value;
    if (!TRUNCATABLE_OUTPUTS.includes(o.name) || v.shape[v.rank - 1] !== dim) continue;
    o.value = g.withSource(`export: Matryoshka level ${width} of ${dim}`, () =>
      g.slice(v, [0], [width], [v.rank - 1]),
    );
  }
}
