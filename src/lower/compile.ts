// Orchestration: a checked model (+ optional weights) → lowered graphs → ONNX model objects and the manifest.
// Which graphs exist is data: GRAPH_KINDS lists them (inference here; the training step and gradient graphs in
// train-step.ts and grad.ts), and `vfmc compile --emit` picks by kind. Files are written by the CLI through src/onnx
// — lowering produces values, never bytes. Graphs are built without parameter data; emission attaches the values
// as initializers produced while the file is written (deferred-weights.ts), so ViT-g compiles in little memory.
import type { GraphBuilder } from "../graph/builder.js";
import { toOnnx } from "../graph/emit.js";
import type { Backbone, ModelIR } from "../ir/model.js";
import { DiagnosticBag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { ShapeError } from "../graph/errors.js";
import { attachDeferred, deferredBytes } from "./deferred-weights.js";
import { shapeDiagnostic } from "./source.js";
import { backboneParamSpecs } from "./backbone/params.js";
import { backboneNames } from "./names.js";
import { initTensor } from "./init.js";
import { lowerInfer } from "./infer.js";
import { gradKind } from "./grad.js";
import { trainKind } from "./train-step.js";
import { stepsKind } from "./train-steps.js";
import { buildManifest, graphEntry, type GraphEntry, type IoRoleInfo, type Manifest } from "./manifest.js";
import { LOSS_TERMS } from "./objectives/index.js";
import { paramElements, type ParamSpec } from "./params.js";
import { rasaMatrix } from "./post/rasa-fold.js";
import {
  bindWeights,
  canonicalKey,
  normaliseCheckpoint,
  rasaWeights,
  toFloat32,
  withCheckpointGrid,
  type WeightMap,
  type WeightTensor,
} from "./weights.js";
import { checkTruncation, truncateFeatureOutputs } from "./post/truncate.js";

/** the plain ONNX model object src/graph emits (lowering may not name src/onnx itself) */
export type EmittedModel = ReturnType<typeof toOnnx>;

/** ONNX opsets vfmc can stamp (onnxruntime-node 1.30 loads 17 … 26). */
export const OPSET_RANGE = { min: 17, max: 26 } as const;

export interface LowerContext {
  readonly ir: ModelIR;
  /** the backbone as the weights have it (position grid from the checkpoint) */
  readonly backbone: Backbone;
  readonly bag: DiagnosticBag;
  /** initial value of a parameter: the loaded weight when the checkpoint has it (same shape), else §1.6 init */
  value(spec: ParamSpec): Float32Array;
  /** folded RASA matrix [D, D] when the weights hold a RASA head */
  readonly rasa?: Float32Array;
  readonly hasWeights: boolean;
}

export interface LoweredGraph {
  readonly graph: GraphBuilder;
  /** roles of graph inputs and outputs by name (unlisted: inputs batch, outputs feature, data-less params param) */
  readonly roles: ReadonlyMap<string, IoRoleInfo>;
  /** parameters of this graph, for the manifest's parameter list */
  readonly params: readonly ParamSpec[];
  /** parameters declared without data that emission turns into initializers, their values produced on demand */
  readonly deferred?: readonly ParamSpec[];
}

export interface GraphKind {
  readonly kind: string;
  readonly doc: string;
  lower(ctx: LowerContext): LoweredGraph;
  /** a graph built around the emitted form of what `lower` produces (train-steps.ts wraps the step in a Loop) */
  readonly derive?: (
    emitted: EmittedModel,
    entry: GraphEntry,
    file: string,
  ) => { readonly model: EmittedModel; readonly entry: GraphEntry };
}

export const inferKind: GraphKind = {
  kind: "infer",
  doc: "pixels → cls / patch_tokens / registers (weights inside)",
  // without `value`: the weights are attached at emission, not held by the graph
  lower: ({ ir, backbone, bag, rasa }) => lowerInfer({ ir, backbone, bag, ...(rasa ? { rasa } : {}) }),
};

/** Every graph vfmc can emit, in emission order: the model's, then those of the loss terms. */
export const GRAPH_KINDS: GraphKind[] = [
  inferKind,
  trainKind,
  stepsKind,
  gradKind,
  ...LOSS_TERMS.flatMap((t) => t.graphs ?? []),
];

export function graphKind(kind: string): GraphKind | undefined {
  return GRAPH_KINDS.find((k) => k.kind === kind);
}

export interface WeightsFile {
  readonly file: string;
  readonly tensors: WeightMap;
}

export interface CompileOptions {
  readonly emit: readonly string[];
  readonly opset: number;
  /** checkpoints, later files overriding earlier ones key by key (e.g. a backbone, then a RASA head) */
  readonly weights?: readonly WeightsFile[];
  /** "<graph>: <what>" lines for long compiles */
  readonly progress?: (line: string) => void;
  /** Matryoshka truncation: the inference graph's features keep only their first `dims` channels */
  readonly dims?: number;
}

export interface CompiledGraph {
  readonly kind: string;
  /** file name relative to the output folder */
  readonly file: string;
  readonly model: EmittedModel;
  readonly nodes: number;
  readonly paramCount: number;
  /** bytes of all initializers */
  readonly bytes: number;
  readonly lowerMs: number;
  readonly entry: GraphEntry;
}

export interface CompiledModel {
  readonly name: string;
  readonly graphs: readonly CompiledGraph[];
  /** the manifest without file-level facts (the CLI adds externalData per graph after writing) */
  readonly manifest: Manifest;
  readonly diagnostics: readonly Diagnostic[];
}

function mergeWeights(files: readonly WeightsFile[]): { tensors: Map<string, WeightTensor>; label: string } {
  const tensors = new Map<string, WeightTensor>();
  for (const f of files) for (const [k, t] of normaliseCheckpoint(f.tensors)) tensors.set(k, t);
  return { tensors, label: files.map((f) => f.file).join(" + ") };
}

/** Sets up the context every lowering shares: weights bound and checked once, initialisers otherwise. */
export function lowerContext(ir: ModelIR, weights: readonly WeightsFile[], bag: DiagnosticBag): LowerContext {
  const seed = ir.train.seed;
  if (weights.length === 0) {
    return { ir, backbone: ir.backbone, bag, hasWeights: false, value: (s) => initTensor(s, seed) };
  }
  const { tensors, label } = mergeWeights(weights);
  const backbone = withCheckpointGrid(ir.backbone, tensors, label);
  // a fixed sin-cos table (MAE) is recomputed on the checkpoint's grid, never read
  if (backbone.posEmbed === "sincos") tensors.delete(backboneNames(backbone.ffn).posEmbed);
  if (backbone.posGrid !== ir.backbone.posGrid)
    bag.report("PosGridFromCheckpoint", ir.spans.get("backbone.pos_grid"), [
      label,
      backbone.posGrid,
      ir.backbone.posGrid,
    ]);
  // mask_token is optional (inference-only exports drop it); when present, `value` below picks it up
  const bound = bindWeights(
    backboneParamSpecs(backbone, { channels: ir.input.channels, maskToken: false }),
    tensors,
    label,
    bag,
  ).params;
  const rasaW = rasaWeights(tensors, backbone.dim, label, bag);
  const value = (s: ParamSpec): Float32Array => {
    const key = canonicalKey(s.name);
    const hit = bound.get(key);
    if (hit) return hit;
    // heads, mask_token and other modules a training checkpoint may hold: used when the shape matches
    const t = tensors.get(key);
    const same =
      t !== undefined && t.shape.length === s.shape.length && t.shape.every((d, i) => d === s.shape[i]);
    const data = same ? toFloat32(t) : undefined;
    if (data) return data;
    return initTensor(s, seed);
  };
  return {
    ir,
    backbone,
    bag,
    hasWeights: true,
    value,
    ...(rasaW && rasaW.length > 0 ? { rasa: rasaMatrix(rasaW, backbone.dim) } : {}),
  };
}

/** Reports every ~100 M parameter values produced, which happens while the files are written (ViT-g: 1.1 G). */
function withProgress(ctx: LowerContext, progress: ((line: string) => void) | undefined): LowerContext {
  if (!progress) return ctx;
  const step = 100e6;
  let done = 0;
  return {
    ...ctx,
    value: (s) => {
      const v = ctx.value(s);
      const before = Math.floor(done / step);
      done += v.length;
      if (Math.floor(done / step) > before)
        progress(`${ctx.ir.name}: ${(done / 1e6).toFixed(0)} M parameter values ready`);
      return v;
    },
  };
}

/** Lowers one graph; a ShapeError (an inconsistent graph) becomes a diagnostic at the construct that built it. */
export function lowerGraph(kind: GraphKind, ctx: LowerContext): LoweredGraph {
  try {
    return kind.lower(ctx);
  } catch (e) {
    if (e instanceof ShapeError) throw new DiagnosticError([shapeDiagnostic(ctx.ir, kind.kind, e)]);
    throw e;
  }
}

/** The graph kinds `emit` names, after checking them and the opset (VFM4008, VFM4010). */
export function requestedKinds(opts: Pick<CompileOptions, "emit" | "opset">): GraphKind[] {
  const bag = new DiagnosticBag();
  if (!Number.isInteger(opts.opset) || opts.opset < OPSET_RANGE.min || opts.opset > OPSET_RANGE.max) {
    bag.report("UnsupportedOpset", undefined, [opts.opset, OPSET_RANGE.min, OPSET_RANGE.max]);
    throw new DiagnosticError(bag.items);
  }
  const kinds = opts.emit.flatMap((k) => {
    const kind = graphKind(k);
    if (!kind)
      bag.report("GraphNotAvailable", undefined, [
        k,
        `known graphs: ${GRAPH_KINDS.map((x) => x.kind).join(", ")}`,
      ]);
    return kind ? [kind] : [];
  });
  if (bag.hasErrors) throw new DiagnosticError(bag.items);
  return kinds;
}

export function compileModelGraphs(ir: ModelIR, opts: CompileOptions): CompiledModel {
  const kinds = requestedKinds(opts);
  if (opts.dims !== undefined) checkTruncation(ir, opts.dims);
  const bag = new DiagnosticBag();
  if (opts.weights?.length) opts.progress?.(`${ir.name}: binding weights`);
  const ctx = withProgress(lowerContext(ir, opts.weights ?? [], bag), opts.progress);
  const graphs: CompiledGraph[] = [];
  const params = new Map<string, ParamSpec>();
  // kinds that share a lowering (train, and steps built around it) lower and emit it once
  const emittedBy = new Map<
    GraphKind["lower"],
    { lowered: LoweredGraph; model: EmittedModel; bytes: number }
  >();
  const emit = (kind: GraphKind) => {
    const done = emittedBy.get(kind.lower);
    if (done) return done;
    opts.progress?.(`${ir.name}.${kind.kind}: lowering`);
    const lowered = lowerGraph(kind, ctx);
    if (kind.kind === "infer" && opts.dims !== undefined)
      truncateFeatureOutputs(lowered.graph, opts.dims, ctx.backbone.dim);
    opts.progress?.(`${ir.name}.${kind.kind}: emitting ${lowered.graph.nodes.length} nodes`);
    const model = toOnnx(lowered.graph, {
      opset: opts.opset,
      name: `${ir.name}.${kind.kind}`,
      docString: `${ir.file} model ${ir.name}`,
    });
    model.metadata = { vfmc_model: ir.name, vfmc_graph: kind.kind, vfmc_spec: ir.file };
    const deferred = lowered.deferred ?? [];
    const bytes =
      model.graph.initializers.reduce((a, t) => a + t.data.byteLength, 0) + deferredBytes(deferred);
    attachDeferred(model, deferred, ctx.value);
    const result = { lowered, model, bytes };
    emittedBy.set(kind.lower, result);
    return result;
  };
  for (const kind of kinds) {
    const t0 = performance.now();
    const { lowered, model, bytes } = emit(kind);
    const file = `${ir.name}.${kind.kind}.onnx`;
    const stepEntry = graphEntry(kind.kind, file, lowered.graph, lowered.roles, opts.opset, {
      initialised: new Set((lowered.deferred ?? []).map((p) => p.name)),
    });
    const { model: emitted, entry } = kind.derive
      ? kind.derive(model, stepEntry, file)
      : { model, entry: stepEntry };
    for (const p of lowered.params) params.set(p.name, p); // a later graph (train) knows more, e.g. frozen flags
    const paramCount = lowered.params.reduce((a, p) => a + paramElements(p), 0);
    graphs.push({
      kind: kind.kind,
      file,
      model: emitted,
      // a derived graph reports the nodes of the step it wraps
      nodes: model.graph.nodes.length,
      paramCount,
      bytes,
      lowerMs: performance.now() - t0,
      entry,
    });
  }
  const manifest = buildManifest(
    ir,
    ctx.backbone.posGrid,
    graphs.map((g) => g.entry),
    [...params.values()],
  );
  return { name: ir.name, graphs, manifest, diagnostics: bag.items };
}
