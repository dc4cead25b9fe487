// The golden-file view of a lowered graph (specs/baselines/<spec>/<model>.<graph>.summary.txt, `vfmc compile
// --summary`): the graph summary of src/graph/summary.ts with the roles the lowering assigned. A training step's
// per-tensor state (parameters, teacher, moments, gradients) is summed up per role, so a ViT-g step still fits on
// a screen. Graphs are lowered without parameter data, so summarising ViT-g takes seconds and little memory.
import { DiagnosticBag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { formatSummary, summarize, type GraphSummary } from "../graph/summary.js";
import type { ModelIR } from "../ir/model.js";
import {
  lowerContext,
  lowerGraph,
  requestedKinds,
  type CompileOptions,
  type LoweredGraph,
} from "./compile.js";

/** Roles shown as one line each: there is one entry per parameter tensor. */
const PER_TENSOR_ROLES = ["param", "teacher", "opt_m", "opt_v", "grad"];

export function loweredGraphSummary(lowered: LoweredGraph, opset: number): GraphSummary {
  return summarize(lowered.graph, {
    opset,
    // the manifest's defaults for unlabelled entries (manifest.ts graphEntry)
    roles: (name, io) => lowered.roles.get(name)?.role ?? (io === "input" ? "batch" : "feature"),
    grouped: PER_TENSOR_ROLES,
    parameterRoles: ["param"],
  });
}

export function loweredSummary(lowered: LoweredGraph, opset: number): string {
  return formatSummary(loweredGraphSummary(lowered, opset));
}

export interface ModelSummaries {
  readonly graphs: readonly { readonly kind: string; readonly summary: GraphSummary }[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Summaries of the graphs `emit` names, with what lowering reported (weights are bound, never initialised). */
export function modelSummaries(
  ir: ModelIR,
  opts: Pick<CompileOptions, "emit" | "opset" | "weights">,
): ModelSummaries {
  const kinds = requestedKinds(opts);
  const bag = new DiagnosticBag();
  const ctx = lowerContext(ir, opts.weights ?? [], bag);
  const graphs = kinds.map((kind) => ({
    kind: kind.kind,
    summary: loweredGraphSummary(lowerGraph(kind, ctx), opts.opset),
  }));
  return { graphs, diagnostics: bag.items };
}
