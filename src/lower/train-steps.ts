// Several training steps per onnxruntime call: the training-step graph becomes the body of an ONNX `Loop` whose
// carried values are the state (parameters, teacher, moments, step counter, buffers) and whose per-step inputs
// (batch, schedules) arrive stacked along a leading `steps` axis; the metrics come back stacked the same way.
//
// Why: onnxruntime-node hands every output of run() back in a freshly allocated JS buffer, copied, even when the
// caller pre-allocated it. A training step returns the whole state, so each call paid a copy and first-touch page
// faults of every parameter, teacher and moment (ViT-S/16 with two 65 536-prototype heads: 1.06 GB per step).
// Inside a Loop the state passes from one iteration to the next without leaving onnxruntime (and, on CUDA,
// without leaving the device), so that cost is paid once per call instead of once per step. Each iteration runs
// the step graph unchanged: K steps in one call compute exactly what K calls of the step graph compute.
import { InternalError } from "../diagnostics/diagnostic.js";
import type { EmittedModel, GraphKind } from "./compile.js";
import type { GraphEntry, IoEntry } from "./manifest.js";
import { trainKind } from "./train-step.js";

type OnnxGraph = EmittedModel["graph"];
type OnnxNode = OnnxGraph["nodes"][number];
type OnnxValueInfo = OnnxGraph["inputs"][number];

/** The symbolic leading axis of per-step inputs and metric outputs. */
export const STEPS_AXIS = "steps";

/** Names inside the loop body get this prefix, so none shadows a name of the outer graph. */
const BODY = "step/";

function stacked<T extends { shape: readonly (number | string)[] }>(v: T): T {
  return { ...v, shape: [STEPS_AXIS, ...v.shape] };
}

/**
 * The `steps` graph of a training-step graph: same state inputs and outputs (and names), per-step inputs and
 * metrics with a leading `steps` axis. The number of steps a call runs is the length of that axis.
 */
export function trainStepsGraph(
  step: EmittedModel,
  entry: GraphEntry,
  file: string,
): { model: EmittedModel; entry: GraphEntry } {
  const g = step.graph;
  const nextOf = new Map<string, string>(); // state input → the output that replaces it
  for (const o of entry.outputs) if (o.next) nextOf.set(o.next, o.name);
  const carried = g.inputs.filter((i) => nextOf.has(i.name));
  const perStep = g.inputs.filter((i) => !nextOf.has(i.name));
  const stateOutputs = carried.map((i) => nextOf.get(i.name)!);
  const isState = new Set(stateOutputs);
  const metrics = g.outputs.filter((o) => !isState.has(o.name));
  const first = perStep[0];
  if (!first) throw new InternalError("a training-step graph without per-step inputs cannot be looped");
  for (const n of g.nodes)
    if (Object.values(n.attrs ?? {}).some((a) => a.type === "graph"))
      throw new InternalError(`${n.opType} with a subgraph cannot go inside the steps loop`);

  // Constants (position-embedding resampling matrices, …) live in the body: outer-scope values cannot be
  // constant-folded or pre-packed for MatMul inside it by onnxruntime. They keep their names.
  const constants = new Set(g.initializers.map((t) => t.name));
  const inner = (name: string): string => (name === "" || constants.has(name) ? name : BODY + name);
  const valueInfo = (v: OnnxValueInfo, name = inner(v.name)): OnnxValueInfo => ({ ...v, name });
  const byName = new Map(g.outputs.map((o) => [o.name, o]));

  const iteration = `${BODY}iteration`;
  const cond = `${BODY}cond`;
  const body: OnnxGraph = {
    name: `${g.name}.step`,
    inputs: [
      { name: iteration, dtype: "int64", shape: [] },
      { name: cond, dtype: "bool", shape: [] },
      ...carried.map((v) => valueInfo(v)),
    ],
    nodes: [
      // this iteration's slice of every per-step input (outer-scope values, read by name)
      ...perStep.map((v): OnnxNode => ({
        opType: "Gather",
        inputs: [v.name, iteration],
        outputs: [inner(v.name)],
        attrs: { axis: { type: "int", i: 0 } },
        name: `${BODY}take/${v.name}`,
      })),
      ...g.nodes.map((n): OnnxNode => ({
        ...n,
        inputs: n.inputs.map(inner),
        outputs: n.outputs.map(inner),
        ...(n.name !== undefined ? { name: inner(n.name) } : {}),
      })),
      { opType: "Identity", inputs: [cond], outputs: [`${BODY}cond_out`], name: `${BODY}cond_out` },
    ],
    outputs: [
      { name: `${BODY}cond_out`, dtype: "bool", shape: [] },
      ...stateOutputs.map((o) => valueInfo(byName.get(o)!)),
      ...metrics.map((o) => valueInfo(o)),
    ],
    initializers: g.initializers,
    ...(g.valueInfo ? { valueInfo: g.valueInfo.map((v) => valueInfo(v)) } : {}),
  };

  const trips = "steps/count";
  const model: EmittedModel = {
    ...step,
    graph: {
      name: `${g.name}.steps`,
      ...(g.docString !== undefined ? { docString: g.docString } : {}),
      inputs: [...carried, ...perStep.map(stacked)],
      outputs: [...stateOutputs.map((o) => byName.get(o)!), ...metrics.map(stacked)],
      initializers: [
        { name: "steps/axis0", dtype: "int64", dims: [], data: BigInt64Array.of(0n) },
        { name: "steps/true", dtype: "bool", dims: [], data: Uint8Array.of(1) },
      ],
      nodes: [
        { opType: "Shape", inputs: [first.name], outputs: ["steps/shape"], name: "steps/shape" },
        {
          opType: "Gather",
          inputs: ["steps/shape", "steps/axis0"],
          outputs: [trips],
          attrs: { axis: { type: "int", i: 0 } },
          name: "steps/count",
        },
        {
          opType: "Loop",
          inputs: [trips, "steps/true", ...carried.map((v) => v.name)],
          outputs: [...stateOutputs, ...metrics.map((o) => o.name)],
          attrs: { body: { type: "graph", g: body } },
          name: "steps/loop",
          docString:
            "one training step per iteration; state carried, batch and schedules indexed by iteration",
        },
      ],
    },
    metadata: { ...step.metadata, vfmc_graph: "steps" },
  };

  const perStepNames = new Set(perStep.map((v) => v.name));
  const metricNames = new Set(metrics.map((o) => o.name));
  return {
    model,
    entry: {
      ...entry,
      kind: "steps",
      file,
      nodes: g.nodes.length,
      inputs: entry.inputs.map((e): IoEntry => (perStepNames.has(e.name) ? stacked(e) : e)),
      outputs: entry.outputs.map((e): IoEntry => (metricNames.has(e.name) ? stacked(e) : e)),
    },
  };
}

export const stepsKind: GraphKind = {
  kind: "steps",
  doc: "K training steps per call: the train graph as the body of an ONNX Loop (state carried inside onnxruntime; batch, schedules and metrics stacked along a leading `steps` axis)",
  lower: trainKind.lower,
  derive: trainStepsGraph,
};
