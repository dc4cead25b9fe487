// Matryoshka levels at evaluation time (reference §2.2, F+ variant): a nested model's level of width d is the first
// d channels of the backbone feature, so a level's kNN accuracy is the kNN of the truncated CLS features (truncated
// before the L2 normalisation, as a width-d export would be).
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import type { ModelIR } from "../../ir/model.js";
import { knnEvaluate, type KnnAccuracy, type KnnOptions, type LabelledFeatures } from "../eval/knn.js";

/** The nested widths of the model's DINO head, narrowest first (VFM6303 when the head is not nested). */
export function levelWidths(ir: ModelIR): number[] {
  const head = ir.heads.dino;
  if (head.nested <= 1)
    throw new DiagnosticError([
      makeDiagnostic("LevelsNotNested", undefined, [ir.name, "heads.dino.nested is 1", ir.backbone.dim]),
    ]);
  return head.levels.map((l) => l.width);
}

/** The first `width` channels of each row of [n, dim]. */
export function truncateRows(features: Float32Array, dim: number, width: number): Float32Array {
  if (width === dim) return features;
  const n = features.length / dim;
  const out = new Float32Array(n * width);
  for (let r = 0; r < n; r++) out.set(features.subarray(r * dim, r * dim + width), r * width);
  return out;
}

export interface LevelAccuracy {
  readonly width: number;
  readonly results: readonly KnnAccuracy[];
}

export function knnPerLevel(
  bank: LabelledFeatures,
  queries: LabelledFeatures,
  dim: number,
  widths: readonly number[],
  opts: KnnOptions = {},
): LevelAccuracy[] {
  return widths.map((width) => ({
    width,
    results: knnEvaluate(
      { features: truncateRows(bank.features, dim, width), labels: bank.labels },
      { features: truncateRows(queries.features, dim, width), labels: queries.labels },
      width,
      opts,
    ),
  }));
}

/** `dims  k=20 top-1  …` table, one row per level. */
export function formatLevels(levels: readonly LevelAccuracy[]): string {
  const ks = levels[0]?.results.map((r) => r.k) ?? [];
  const head = ["dims".padStart(6), ...ks.map((k) => `k=${k} top-1`.padStart(12))].join("  ");
  const rows = levels.map((l) =>
    [String(l.width).padStart(6), ...l.results.map((r) => `${(100 * r.top1).toFixed(2)}%`.padStart(12))].join(
      "  ",
    ),
  );
  return [head, ...rows].join("\n");
}
