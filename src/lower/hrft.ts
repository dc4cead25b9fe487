// High-resolution adaptation (reference §9): continue training a checkpoint at a new resolution. As Franca does it,
// the teacher's pos_embed grid is resized once with antialiased bicubic (`modify_ckpt_highres.py`: size form,
// a = −0.5, renormalised borders, whatever the model's own run-time interpolation is), the backbone — student and
// teacher alike — starts from the checkpoint's teacher weights, and the projection heads start fresh
// (`pretrained_weights` copies only `backbone.*`). Pure: the caller reads the checkpoint and hands the tensors in.
import { DiagnosticBag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { ModelIR } from "../ir/model.js";
import { resizeMatrix } from "./backbone/interpolation.js";
import { backboneParamSpecs } from "./backbone/params.js";
import { modelHeadSpecs } from "./objectives/index.js";
import { studentName } from "./contract.js";
import { initTensor } from "./init.js";
import type { ParamSpec } from "./params.js";
import {
  bindWeights,
  checkpointPosGrid,
  normaliseCheckpoint,
  toFloat32,
  type WeightMap,
  type WeightTensor,
} from "./weights.js";

/** `modify_ckpt_highres.py`'s resize: F.interpolate(size=(g, g), mode="bicubic", antialias=True). */
const HRFT_RESIZE = { interpolate: "bicubic_antialias", offset: 0 } as const;

/**
 * The model trained at `resolution` px: global crops of that size, a position grid of resolution/patch (the grid
 * the checkpoint's pos_embed is resized to) and the export resolution with them. Local crops are unchanged (§9:
 * 518 global, 98 local).
 */
export function hrftModel(ir: ModelIR, resolution: number): ModelIR {
  const p = ir.backbone.patch;
  if (!Number.isInteger(resolution) || resolution <= 0 || resolution % p !== 0) {
    const bag = new DiagnosticBag();
    const fix = Math.max(p, Math.round(resolution / p) * p);
    bag.report("HrftResolutionNotPatchMultiple", undefined, [resolution, p, fix]);
    throw new DiagnosticError(bag.items);
  }
  return {
    ...ir,
    backbone: { ...ir.backbone, posGrid: resolution / p },
    crops: { ...ir.crops, global: { ...ir.crops.global, size: resolution } },
    export: { ...ir.export, resolution },
  };
}

/**
 * pos_embed [1, 1 + m², D] → [1, 1 + g², D]: CLS row kept, grid resampled as W · G · Wᵀ per channel (float64
 * accumulation, float32 result), with W the antialiased bicubic matrix of §1.5 case (c).
 */
export function resizePosEmbedData(pe: Float32Array, m: number, g: number, d: number): Float32Array {
  const w = resizeMatrix(HRFT_RESIZE, m, g); // [g, m]
  const rows = new Float64Array(g * m * d); // along rows: [g, m(cols), D]
  for (let i = 0; i < g; i++)
    for (let r = 0; r < m; r++) {
      const wr = w[i * m + r]!;
      if (wr === 0) continue;
      for (let c = 0; c < m; c++) {
        const src = d * (1 + r * m + c);
        const dst = (i * m + c) * d;
        for (let k = 0; k < d; k++) rows[dst + k]! += wr * pe[src + k]!;
      }
    }
  const out = new Float32Array((1 + g * g) * d);
  out.set(pe.subarray(0, d));
  const acc = new Float64Array(d);
  for (let i = 0; i < g; i++)
    for (let j = 0; j < g; j++) {
      acc.fill(0);
      for (let c = 0; c < m; c++) {
        const wc = w[j * m + c]!;
        if (wc === 0) continue;
        const src = (i * m + c) * d;
        for (let k = 0; k < d; k++) acc[k]! += wc * rows[src + k]!;
      }
      out.set(acc, d * (1 + i * g + j));
    }
  return out;
}

export interface HrftInit {
  /**
   * Initial value of a training parameter by graph input name (`teacher.X` gets X's value, as the teacher starts
   * as the student): the checkpoint's backbone, its pos_embed resized, fresh heads. Undefined for unknown names.
   */
  initial(name: string): Float32Array | undefined;
  /** grid of the checkpoint's pos_embed and the grid it was resized to */
  readonly sourceGrid: number;
  readonly targetGrid: number;
  /** canonical names taken from the checkpoint, and names initialised fresh (heads; mask_token if absent) */
  readonly loaded: readonly string[];
  readonly fresh: readonly string[];
}

export interface InitOptions {
  /**
   * "fresh" (HRFT, `--init`): heads start from the seeded initialiser, as Franca's high-resolution stage does;
   * "checkpoint" (`vfmc run --weights`, continued pretraining): each head tensor the checkpoint holds with the
   * model's shape is loaded, the others start fresh. The pos_embed resize is reported (VFM4013) only for "fresh".
   */
  readonly heads?: "fresh" | "checkpoint";
}

/**
 * The initial parameters of `vfmc run --init CKPT --resolution R` for `ir` (already at R: see hrftModel), or of
 * `vfmc run --weights CKPT` (heads "checkpoint"). Missing or mis-shaped backbone tensors are errors (VFM4001/4002,
 * all listed together); the resize is an info.
 */
export function hrftInit(
  ir: ModelIR,
  tensors: WeightMap,
  file: string,
  bag: DiagnosticBag,
  opts: InitOptions = {},
): HrftInit {
  const canon = normaliseCheckpoint(tensors);
  const bb = ir.backbone;
  const target = bb.posGrid;
  const source = checkpointPosGrid(canon, file) ?? target;
  const pe = canon.get("pos_embed");
  const peData = pe ? toFloat32(pe) : undefined;
  if (pe && peData && source !== target && pe.shape[2] === bb.dim) {
    const resized: WeightTensor = {
      dtype: "F32",
      shape: [1, 1 + target * target, bb.dim],
      data: resizePosEmbedData(peData, source, target, bb.dim),
    };
    canon.set("pos_embed", resized);
    if (opts.heads !== "checkpoint")
      bag.report("HrftPosEmbedResized", undefined, [file, source, target, bb.posGrid * bb.patch]);
  }
  const specs = backboneParamSpecs(bb, { channels: ir.input.channels, maskToken: false });
  const backbone = bindWeights(specs, canon, file, bag).params;
  const maskSpec = backboneParamSpecs(bb, { channels: ir.input.channels }).find(
    (s) => !specs.some((t) => t.name === s.name),
  );
  const fresh: ParamSpec[] = [];
  for (const spec of modelHeadSpecs(ir)) {
    const t = opts.heads === "checkpoint" ? canon.get(spec.name) : undefined;
    const data = t && t.shape.join() === spec.shape.join() ? toFloat32(t) : undefined;
    if (data) backbone.set(spec.name, data);
    else fresh.push(spec);
  }
  if (maskSpec) {
    const t = canon.get(maskSpec.name);
    const data = t && t.shape.join() === maskSpec.shape.join() ? toFloat32(t) : undefined;
    if (data) backbone.set(maskSpec.name, data);
    else fresh.push(maskSpec);
  }
  const freshByName = new Map(fresh.map((s) => [s.name, s]));
  const seed = ir.train.seed;
  return {
    initial(name) {
      const bare = studentName(name);
      const loaded = backbone.get(bare);
      if (loaded) return loaded;
      const spec = freshByName.get(bare);
      return spec ? initTensor({ ...spec, name }, seed) : undefined;
    },
    sourceGrid: source,
    targetGrid: target,
    loaded: [...backbone.keys()],
    fresh: fresh.map((s) => s.name),
  };
}
