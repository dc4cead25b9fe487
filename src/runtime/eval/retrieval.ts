// Image retrieval (the kNN-style search protocol: every query ranks the whole gallery by cosine similarity of
// L2-normalised features; gallery images with the query's label are the relevant ones). Reported: mean average
// precision over queries with at least one relevant image, and precision at 1 (the nearest neighbour's label).
// AP = (1/R) Σ_{relevant ranks k} precision@k; ties in similarity are broken by gallery order.
import { InternalError } from "../../diagnostics/diagnostic.js";
import { assertFinite } from "./finite.js";
import { dotBlock, l2Normalize, type LabelledFeatures } from "./knn.js";

export interface RetrievalResult {
  readonly map: number;
  readonly precisionAt1: number;
  /** queries that had at least one relevant gallery image (the others are left out of both means) */
  readonly queries: number;
  readonly gallery: number;
}

/** Average precision of one ranking: `relevant[i]` for the i-th ranked item. */
export function averagePrecision(relevantInRankOrder: ArrayLike<boolean>): number {
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < relevantInRankOrder.length; i++)
    if (relevantInRankOrder[i]) {
      hits++;
      sum += hits / (i + 1);
    }
  return hits === 0 ? 0 : sum / hits;
}

export function retrievalEvaluate(
  gallery: LabelledFeatures,
  queries: LabelledFeatures,
  dim: number,
): RetrievalResult {
  const nG = gallery.labels.length;
  const nQ = queries.labels.length;
  if (gallery.features.length !== nG * dim || queries.features.length !== nQ * dim)
    throw new InternalError(`retrieval features do not match labels × dim ${dim}`);
  assertFinite(gallery.features, dim, "retrieval gallery");
  assertFinite(queries.features, dim, "retrieval queries");
  const g = l2Normalize(gallery.features, dim);
  const q = l2Normalize(queries.features, dim);
  const BLOCK = 32;
  const sims = new Float32Array(BLOCK * nG);
  const order = new Int32Array(nG);
  const rel = new Array<boolean>(nG);
  let apSum = 0;
  let p1 = 0;
  let counted = 0;
  for (let start = 0; start < nQ; start += BLOCK) {
    const rows = Math.min(BLOCK, nQ - start);
    dotBlock(q, start, rows, g, nG, dim, sims);
    for (let i = 0; i < rows; i++) {
      const label = queries.labels[start + i]!;
      const base = i * nG;
      for (let j = 0; j < nG; j++) order[j] = j;
      order.sort((a, b) => sims[base + b]! - sims[base + a]! || a - b);
      let any = false;
      for (let j = 0; j < nG; j++) any = (rel[j] = gallery.labels[order[j]!] === label) || any;
      if (!any) continue;
      counted++;
      apSum += averagePrecision(rel);
      if (rel[0]) p1++;
    }
  }
  return {
    map: counted ? apSum / counted : 0,
    precisionAt1: counted ? p1 / counted : 0,
    queries: counted,
    gallery: nG,
  };
}
