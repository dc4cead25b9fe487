// How to drive a training-step graph, read off its manifest entry alone (docs/graph-contract.md): which inputs are
// carried state (an output names them with `next`), which are schedules (evaluated host-side each step), which are
// data, and which outputs are metrics. Nothing here knows a model: any graph that follows the contract trains.
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { LOSS, SCHEDULE_INPUT, termLoss } from "../../lower/contract.js";
import type { GraphEntry, IoEntry, IoRole, Manifest } from "../../lower/manifest.js";

/** A carried tensor: fed from `input`, replaced by `output` after every step. */
export interface StateSlot {
  readonly input: IoEntry;
  readonly output: string;
}

export interface SchedulePlan {
  readonly input: string;
  /** key into manifest.schedules; absent for host rules (last_layer_lr_factor) */
  readonly key?: string;
}

export interface TrainPlan {
  readonly graph: GraphEntry;
  readonly state: readonly StateSlot[];
  readonly schedules: readonly SchedulePlan[];
  readonly batch: readonly IoEntry[];
  /** metric outputs, loss terms first (the NaN guard names the first non-finite one) */
  readonly metrics: readonly string[];
}

/** Schedule inputs computed by a host rule rather than from `manifest.schedules`. */
export const HOST_SCHEDULES = new Set<string>([SCHEDULE_INPUT.lastLayerLrFactor]);

const STATE_ROLES: ReadonlySet<IoRole> = new Set(["param", "teacher", "opt_m", "opt_v", "step", "state"]);

function unsupported(kind: string, name: string, role: string): DiagnosticError {
  return new DiagnosticError([makeDiagnostic("TrainInputUnsupported", undefined, [kind, name, role])]);
}

export function trainGraphOf(manifest: Manifest): GraphEntry {
  const g = manifest.graphs.find((x) => x.kind === "train");
  if (!g)
    throw new DiagnosticError([
      makeDiagnostic("GraphNotAvailable", undefined, [
        "train",
        `the manifest of ${manifest.model} lists no train graph`,
      ]),
    ]);
  return g;
}

export function trainPlan(manifest: Manifest, graph: GraphEntry = trainGraphOf(manifest)): TrainPlan {
  const feedback = new Map<string, string>();
  for (const o of graph.outputs) if (o.next) feedback.set(o.next, o.name);
  const state: StateSlot[] = [];
  const schedules: SchedulePlan[] = [];
  const batch: IoEntry[] = [];
  for (const input of graph.inputs) {
    const output = feedback.get(input.name);
    if (output !== undefined) {
      if (!STATE_ROLES.has(input.role))
        throw unsupported(graph.kind, input.name, `${input.role} with a feedback output`);
      state.push({ input, output });
    } else if (input.role === "schedule") {
      const key = input.schedule;
      if (key !== undefined ? !(key in manifest.schedules) : !HOST_SCHEDULES.has(input.name))
        throw unsupported(graph.kind, input.name, `schedule ${key ?? "(none)"}`);
      schedules.push({ input: input.name, ...(key !== undefined ? { key } : {}) });
    } else if (input.role === "batch") {
      batch.push(input);
    } else {
      // state without a feedback output would be frozen forever: a contract violation, not a choice
      throw unsupported(graph.kind, input.name, input.role);
    }
  }
  const metricNames = graph.outputs.filter((o) => o.role === "metric").map((o) => o.name);
  const rank = (n: string): number => (n.startsWith(termLoss("")) ? 0 : n === LOSS ? 1 : 2);
  const metrics = [...metricNames].sort((a, b) => rank(a) - rank(b));
  return { graph, state, schedules, batch, metrics };
}

export function numelOf(shape: readonly (number | string)[]): number {
  return shape.reduce<number>((a, d) => a * (typeof d === "number" ? d : NaN), 1);
}
