// Checkpoint tensors → the model's parameter map. Pure key surgery and shape checking (reference §1.3 layout
// variants, §12.8): the caller reads the file (src/runtime/checkpoint/safetensors.ts) and passes the tensors in,
// because lowering may not import the runtime. Every mismatch is a VFM4xxx diagnostic naming the tensor and both
// shapes; all of them are collected before failing, so one run lists every problem.
import { DiagnosticBag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { fromHalfBits } from "../graph/tensor-data.js";
import type { Backbone } from "../ir/model.js";
import { STEP, studentName, TEACHER } from "./contract.js";
import { TRAINING_MODULES } from "./objectives/index.js";
import type { ParamSpec } from "./params.js";

/** A tensor as a checkpoint reader hands it over (safetensors dtype names; F16/BF16 as raw 16-bit patterns). */
export interface WeightTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number> | ArrayLike<bigint>;
}

export type WeightMap = ReadonlyMap<string, WeightTensor>;

/**
 * Keys that are not backbone inference parameters and so never reported as unused: the loss terms' heads and state
 * and the optimiser moments of training checkpoints, RASA heads, mask_token (training only, but present in released
 * checkpoints, §1.3), and the step counter of vfmc's own training checkpoints.
 */
const NOT_BACKBONE = new RegExp(
  `^(?:(?:${[...TRAINING_MODULES, "rasa_head", "student"].join("|")})(?:\\.|$)|mask_token$|${STEP}$)`,
);

/**
 * The canonical name of a checkpoint key: `module.`, `backbone.` and `teacher.` prefixes stripped (in any order),
 * chunked `blocks.{c}.{i}.` flattened to `blocks.{i}.` (the chunk index is redundant: `i` is global).
 */
export function canonicalKey(key: string): string {
  let k = key;
  for (let changed = true; changed;) {
    changed = false;
    for (const p of ["module.", "backbone.", TEACHER]) {
      if (k.startsWith(p)) {
        k = k.slice(p.length);
        changed = true;
      }
    }
  }
  return k.replace(/^blocks\.\d+\.(\d+)\./, "blocks.$1.");
}

/**
 * Normalises a checkpoint's keys. Training checkpoints hold both `student.*` and `teacher.*`: the teacher is what
 * DINOv2 and Franca release, so when teacher keys exist the student's are ignored.
 */
export function normaliseCheckpoint(tensors: WeightMap): Map<string, WeightTensor> {
  const keys = [...tensors.keys()];
  const stripModule = (k: string): string => (k.startsWith("module.") ? k.slice("module.".length) : k);
  const hasTeacher = keys.some((k) => stripModule(k).startsWith(TEACHER));
  const out = new Map<string, WeightTensor>();
  for (const [key, t] of tensors) {
    const bare = stripModule(key);
    if (hasTeacher && bare.startsWith("student.")) continue;
    const name = canonicalKey(bare.startsWith("student.") ? bare.slice("student.".length) : bare);
    if (!out.has(name)) out.set(name, t);
  }
  return out;
}

/** M of a checkpoint's `pos_embed` [1, 1 + M², D], or undefined when it has none. */
export function checkpointPosGrid(tensors: WeightMap, file: string): number | undefined {
  const pe = tensors.get("pos_embed");
  if (!pe) return undefined;
  const rows = (pe.shape[1] ?? 1) - 1;
  const m = Math.round(Math.sqrt(rows));
  if (pe.shape.length !== 3 || m * m !== rows) {
    const bag = new DiagnosticBag();
    bag.report("WeightsPosEmbedNotSquare", undefined, [file, pe.shape.join(", "), rows]);
    throw new DiagnosticError(bag.items);
  }
  return m;
}

/**
 * The backbone as the checkpoint has it: the position grid is the checkpoint's (e.g. 37 for a 518-px DINOv2 hub
 * model under a spec that says 16), since the graph interpolates to the export grid anyway (§1.5, §12.5).
 */
export function withCheckpointGrid(bb: Backbone, tensors: WeightMap, file: string): Backbone {
  const m = checkpointPosGrid(tensors, file);
  return m === undefined || m === bb.posGrid ? bb : { ...bb, posGrid: m };
}

/** The tensor's values as float32, or undefined for a non-float dtype. */
export function toFloat32(t: WeightTensor): Float32Array | undefined {
  const n = t.data.length;
  const d = t.data;
  switch (t.dtype) {
    case "F32":
      return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
    case "F64":
      return Float32Array.from(d as ArrayLike<number>);
    case "BF16": {
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = ((d as ArrayLike<number>)[i]! & 0xffff) << 16;
      return new Float32Array(bits.buffer);
    }
    case "F16": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = fromHalfBits((d as ArrayLike<number>)[i]!);
      return out;
    }
    default:
      return undefined;
  }
}

export interface BoundWeights {
  /** parameter name (as declared, teacher prefix included) → float32 values */
  readonly params: Map<string, Float32Array>;
  /** canonical names of backbone-like tensors no parameter used */
  readonly unused: readonly string[];
}

/**
 * Binds every declared parameter to its checkpoint tensor. `teacher.X` parameters read `X` (the released weights
 * are the teacher's, and a fresh teacher starts as the student). Reports missing, mis-shaped and badly typed tensors
 * together; a warning lists backbone tensors the spec does not declare. `tensors` must be normalised.
 */
export function bindWeights(
  specs: readonly ParamSpec[],
  tensors: WeightMap,
  file: string,
  bag: DiagnosticBag,
): BoundWeights {
  const params = new Map<string, Float32Array>();
  const used = new Set<string>();
  const before = bag.items.length;
  for (const spec of specs) {
    const key = studentName(spec.name);
    const t = tensors.get(key);
    if (!t) {
      bag.report("WeightsMissingTensor", undefined, [file, key, spec.shape.join(", ")]);
      continue;
    }
    used.add(key);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      bag.report("WeightsShapeMismatch", undefined, [file, key, t.shape.join(", "), spec.shape.join(", ")]);
      continue;
    }
    const data = toFloat32(t);
    if (!data) {
      bag.report("WeightsBadDtype", undefined, [file, key, t.dtype]);
      continue;
    }
    params.set(spec.name, data);
  }
  if (bag.items.slice(before).some((d) => d.severity === "error")) throw new DiagnosticError(bag.items);
  const unused = [...tensors.keys()].filter((k) => !used.has(k) && !NOT_BACKBONE.test(k));
  if (unused.length > 0) bag.report("WeightsUnused", undefined, [file, unused.length, unused[0]!]);
  return { params, unused };
}

/**
 * The RASA head's projections (§8.1) in application order: `pre_pos_layers.0 … n−1`, then `pos_pred`; each
 * [2, D] as float32. Undefined when the checkpoint has no `rasa_head.*` tensors (a bare `pre_pos_layers.*`
 * RASA asset is accepted too).
 */
export function rasaWeights(
  tensors: WeightMap,
  dim: number,
  file: string,
  bag: DiagnosticBag,
): Float32Array[] | undefined {
  const bare = (k: string): string => (k.startsWith("rasa_head.") ? k.slice("rasa_head.".length) : k);
  const pre = new Map<number, string>();
  let pred: string | undefined;
  for (const k of tensors.keys()) {
    const b = bare(k);
    const m = /^pre_pos_layers\.(\d+)\.weight$/.exec(b);
    if (m) pre.set(Number(m[1]), k);
    else if (b === "pos_pred.weight") pred = k;
  }
  if (pre.size === 0 && pred === undefined) return undefined;
  const order = [
    ...[...pre.entries()].sort((a, b) => a[0] - b[0]).map(([, k]) => k),
    ...(pred ? [pred] : []),
  ];
  const out: Float32Array[] = [];
  for (const k of order) {
    const t = tensors.get(k)!;
    const data = toFloat32(t);
    if (t.shape.length !== 2 || t.shape[0] !== 2 || t.shape[1] !== dim || !data) {
      bag.report("RasaBadShape", undefined, [file, k, t.shape.join(", "), dim]);
      continue;
    }
    out.push(data);
  }
  if (bag.hasErrors) throw new DiagnosticError(bag.items);
  return out;
}
