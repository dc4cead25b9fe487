// Evaluation never scores non-finite features. A NaN compares false with everything, so in a ranking every NaN
// neighbour ties and every query "finds" its own class: NaN weights used to report 100 % top-1. Every protocol
// (k-NN, Matryoshka levels, linear probe, retrieval, RASA fitting, PCA pictures) checks the features it is given
// and stops with a diagnostic that names the first non-finite value — which image, which channel.
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";

/**
 * Throws VFM6501 when `values` (rows of `width` values, the first row being image `firstImage` of `what`) holds a
 * NaN or an infinity.
 */
export function assertFinite(values: Float32Array, width: number, what: string, firstImage = 0): void {
  let first = -1;
  let bad = 0;
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]!)) {
      if (first < 0) first = i;
      bad++;
    }
  if (first < 0) return;
  const w = Math.max(1, width);
  throw new DiagnosticError([
    makeDiagnostic("EvalNonFinite", undefined, [
      what,
      first % w,
      firstImage + Math.floor(first / w),
      String(values[first]),
      `${bad} of ${values.length} values here`,
    ]),
  ]);
}
