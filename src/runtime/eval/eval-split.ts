// Which images an evaluation compares, and whether it can: the memory bank (or probe training set, or gallery) is
// the training split of --data, the queries the held-out split of --eval-data (or of --data). Both need labels and
// the bank at least two classes; the problems found are diagnostics, so `vfmc eval` can stop on them and
// `vfmc run` can turn them into a warning and train without evaluating.
import { makeDiagnostic, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { DataSource, Dataset } from "../data/dataset.js";

export interface EvalSplit {
  readonly train: Dataset;
  readonly test: Dataset;
}

export type EvalSplitResult =
  { readonly split: EvalSplit; readonly warnings: readonly Diagnostic[] } | { readonly problem: Diagnostic };

/** `what` names the protocol in messages ("k-NN evaluation", "the linear probe" …). */
export function evalSplit(
  data: { source: DataSource; text: string },
  evalData: { source: DataSource; text: string } | undefined,
  what: string,
): EvalSplitResult {
  const bank = data.source.train;
  const unlabelled = (ds: Dataset) => ({
    problem: makeDiagnostic("DataNeedsLabels", undefined, [ds.name, what]),
  });
  if (bank.numClasses === 0) return unlabelled(bank);
  const queries = evalData ? (evalData.source.test ?? evalData.source.train) : data.source.test;
  if (!queries) return { problem: makeDiagnostic("EvalNoHeldOut", undefined, [data.text]) };
  if (queries.numClasses === 0) return unlabelled(queries);
  if (bank.numClasses < 2) {
    const only = bank.classNames?.[0] ?? "class 0";
    return { problem: makeDiagnostic("DataOneClass", undefined, [bank.name, only, what]) };
  }
  const warnings =
    queries.name === bank.name ? [makeDiagnostic("EvalQueriesAreBank", undefined, [bank.name])] : [];
  return { split: { train: bank, test: queries }, warnings };
}
