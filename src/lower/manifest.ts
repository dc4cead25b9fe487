// The graph contract (docs/graph-contract.md): `<model>.manifest.json` tells a runner what each emitted graph
// takes and returns — every input and output with its role, which outputs feed which inputs on the next step, the
// parameters with their optimiser grouping, the schedules as data, and the preprocessing. Plain data, built from
// the lowered graphs; the CLI writes it next to the ONNX files.
import type { Graph, Value } from "../graph/ir.js";
import type { ModelIR, Schedule } from "../ir/model.js";
import { gridOf } from "../ir/model.js";
import { SCHEDULE_KEY, TEACHER } from "./contract.js";
import { modelTerms, needsTeacher } from "./objectives/index.js";
import type { ParamSpec } from "./params.js";

/** What a graph input or output is for; a runner dispatches on this. */
export type IoRole =
  | "param" // trainable student parameter (train/grad graphs take them as inputs)
  | "teacher" // EMA teacher parameter
  | "opt_m" // AdamW first moment, one per trainable parameter
  | "opt_v" // AdamW second moment
  | "step" // the optimiser step counter
  | "schedule" // a scheduled scalar fed each step (lr, wd, momentum, teacher temperature)
  | "batch" // data: pixels, masks, crops
  | "state" // other carried state (centers, RNG-free buffers)
  | "metric" // losses and monitors, reported not fed back
  | "grad" // gradients (grad graph)
  | "feature"; // inference outputs

export const IO_ROLES: readonly IoRole[] = [
  "param",
  "teacher",
  "opt_m",
  "opt_v",
  "step",
  "schedule",
  "batch",
  "state",
  "metric",
  "grad",
  "feature",
];

/** The role (and feedback) a lowering assigns to one graph input or output, by name. */
/**
 * A metric's reference values, for whoever watches a run (the progress output): `plateau` is the value of a loss
 * whose predictions are uniform (Σ log K), `outOf` the count a "prototypes in use" metric is a share of (K).
 */
export interface MetricWatch {
  readonly plateau?: number;
  readonly outOf?: number;
}

export interface IoRoleInfo {
  readonly role: IoRole;
  /** on a metric output: its reference values */
  readonly watch?: MetricWatch;
  /** on an output: the input of the same graph it becomes at the next step (updated params, moments, state) */
  readonly next?: string;
  /** on a schedule input: the schedule's key in `manifest.schedules` */
  readonly schedule?: string;
  readonly doc?: string;
}

export interface IoEntry extends IoRoleInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly (number | string)[];
}

export interface GraphEntry {
  /** "infer", "train", "grad", … */
  readonly kind: string;
  readonly file: string;
  /** external-data file beside the model, when weights were moved out of it */
  readonly externalData?: string;
  readonly opset: number;
  readonly nodes: number;
  readonly inputs: readonly IoEntry[];
  readonly outputs: readonly IoEntry[];
}

export interface ManifestParam {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  readonly decay: boolean;
  readonly lrMultiplier: number;
  readonly group: string;
  readonly lastLayer: boolean;
}

export interface Manifest {
  readonly format: "vfmc-manifest";
  readonly version: 1;
  readonly model: string;
  readonly spec: string;
  readonly chain: readonly string[];
  /** preprocessing the inference graph expects its caller not to do: pixels are RGB in [0, 1], NCHW */
  readonly input: {
    readonly channels: number;
    readonly resolution: number;
    readonly grid: number;
    readonly mean: readonly number[];
    readonly std: readonly number[];
    readonly normalisedInGraph: true;
  };
  readonly backbone: {
    readonly dim: number;
    readonly depth: number;
    readonly heads: number;
    readonly patch: number;
    readonly registers: number;
    readonly posGrid: number;
    readonly ffn: string;
  };
  readonly graphs: readonly GraphEntry[];
  readonly params: readonly ManifestParam[];
  /** per-step values (§7.1) a runner evaluates with scheduleValue() and feeds to `schedule` inputs */
  readonly schedules: Readonly<Record<string, Schedule>>;
  readonly train: {
    readonly batch: number;
    readonly totalSteps: number;
    readonly epochLength: number;
    readonly seed: number;
  };
  /**
   * optimiser constants a runner needs beside the schedules (e.g. to feed the last-layer lr factor, §7.1);
   * always written by vfmc compile (optional only for hand-built manifests in tests)
   */
  readonly optim?: {
    readonly betas: readonly [number, number];
    readonly eps: number;
    readonly clip: number;
    readonly freezeLastLayerSteps: number;
  };
}

function ioEntry(name: string, v: Value, info: IoRoleInfo | undefined, fallback: IoRole): IoEntry {
  return { name, dtype: v.dtype, shape: [...v.shape], ...(info ?? { role: fallback }) };
}

/** Inputs and outputs of a lowered graph with their roles; unlabelled inputs count as batch, outputs as features. */
export function graphEntry(
  kind: string,
  file: string,
  graph: Graph,
  roles: ReadonlyMap<string, IoRoleInfo>,
  opset: number,
  opts: {
    externalData?: string;
    /** data-less parameters that emission turns into initializers (deferred weights): not inputs */
    initialised?: ReadonlySet<string>;
  } = {},
): GraphEntry {
  const { externalData, initialised } = opts;
  return {
    kind,
    file,
    ...(externalData ? { externalData } : {}),
    opset,
    nodes: graph.nodes.length,
    inputs: [
      ...graph.inputs.map((v) => ioEntry(v.name!, v, roles.get(v.name!), "batch")),
      // parameters without data are graph inputs too (training graphs); their role follows from the name
      ...graph.params
        .filter((p) => !p.data && !initialised?.has(p.name!))
        .map((p) =>
          ioEntry(p.name!, p, roles.get(p.name!), p.name!.startsWith(TEACHER) ? "teacher" : "param"),
        ),
    ],
    outputs: graph.outputs.map((o) => ioEntry(o.name, o.value, roles.get(o.name), "feature")),
  };
}

export function manifestParam(p: ParamSpec): ManifestParam {
  const { name, shape, trainable, decay, lrMultiplier, group, lastLayer } = p;
  return { name, shape, trainable, decay, lrMultiplier, group, lastLayer };
}

/** The schedules of a model, keyed as `schedule` inputs refer to them: the optimiser's, then each loss term's. */
export function modelSchedules(ir: ModelIR): Record<string, Schedule> {
  return Object.assign(
    {
      [SCHEDULE_KEY.lr]: ir.optim.lr,
      [SCHEDULE_KEY.weightDecay]: ir.optim.weightDecay,
      ...(needsTeacher(ir) ? { [SCHEDULE_KEY.teacherMomentum]: ir.teacher.momentum } : {}),
    },
    ...modelTerms(ir).map((t) => t.schedules?.(ir) ?? {}),
  );
}

export function buildManifest(
  ir: ModelIR,
  posGrid: number,
  graphs: readonly GraphEntry[],
  params: readonly ParamSpec[],
): Manifest {
  const bb = ir.backbone;
  return {
    format: "vfmc-manifest",
    version: 1,
    model: ir.name,
    spec: ir.file,
    chain: ir.chain,
    input: {
      channels: ir.input.channels,
      resolution: ir.export.resolution,
      grid: gridOf(ir.export.resolution, bb.patch),
      mean: ir.input.mean,
      std: ir.input.std,
      normalisedInGraph: true,
    },
    backbone: {
      dim: bb.dim,
      depth: bb.depth,
      heads: bb.heads,
      patch: bb.patch,
      registers: bb.registers,
      posGrid,
      ffn: bb.ffn,
    },
    graphs,
    params: params.map(manifestParam),
    schedules: modelSchedules(ir),
    train: {
      batch: ir.train.batch,
      totalSteps: ir.train.totalSteps,
      epochLength: ir.train.epochLength,
      seed: ir.train.seed,
    },
    optim: {
      betas: ir.optim.betas,
      eps: ir.optim.eps,
      clip: ir.optim.clip,
      freezeLastLayerSteps: ir.optim.freezeLastLayerSteps,
    },
  };
}
