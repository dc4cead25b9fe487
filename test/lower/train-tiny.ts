// Tiny training models for the train/grad graph tests: the franca-tiny example shrunk further, and a DINOv2-style
// variant (plain heads with L2 norm, shared iBOT head, centering, block masks), plus a deterministic batch.
import { checkSpec } from "../../src/lower/check-spec.js";
import type { Head, ModelIR } from "../../src/ir/model.js";
import { nestedLevels } from "../../src/ir/model.js";
import type { ParamSpec } from "../../src/lower/params.js";
import type { HostTensor } from "../harness/ort.js";
import { tinyBackbone } from "./backbone-tiny.js";
import { f32, numbers } from "./losses-harness.js";

let cached: ModelIR | undefined;
function franca(): ModelIR {
  cached ??= checkSpec("examples/franca-tiny.vfm").models[0]!;
  return cached;
}

const DIM = 16;

function head(nested: number, franca: boolean): Head {
  return {
    layers: 3,
    hidden: 12,
    bottleneck: 6,
    prototypes: 16,
    l2norm: !franca,
    geluAfterBottleneck: franca,
    nested,
    levels: nestedLevels(DIM, nested, 16),
  };
}

export type TinyKind = "franca" | "dinov2";

export function tinyIr(kind: TinyKind, over: { dropPath?: number } = {}): ModelIR {
  const base = franca();
  const isFranca = kind === "franca";
  const dino = head(isFranca ? 2 : 1, isFranca);
  return {
    ...base,
    name: `${kind}_train_tiny`,
    backbone: tinyBackbone({
      dim: DIM,
      heads: 2,
      ffn: isFranca ? "swiglu" : "mlp",
      ...(isFranca ? { ffnHidden: 24 } : {}),
      posGrid: 4,
      dropPath: over.dropPath ?? 0,
    }),
    crops: {
      ...base.crops,
      global: { ...base.crops.global, size: 16 },
      local: { ...base.crops.local, count: 2, size: 8 },
    },
    masking: {
      ...base.masking,
      kind: isFranca ? "cyclic" : "block",
      ratio: isFranca ? { lo: 0.1, hi: 0.65 } : { lo: 0.1, hi: 0.5 },
      images: 0.5,
    },
    heads: {
      dino,
      ibot: isFranca ? { ...head(2, true), bottleneck: 5, separate: true } : { ...dino, separate: false },
    },
    losses: {
      ...base.losses,
      dino: { ...base.losses.dino, targets: isFranca ? "sinkhorn" : "centering", centerMomentum: 0.9 },
      ibot: {
        ...base.losses.ibot,
        targets: isFranca ? "sinkhorn" : "centering",
        centerMomentum: 0.9,
        weight: 1,
      },
      koleo: { weight: 0.1 },
    },
    optim: { ...base.optim, clip: 0.5, patchEmbedLr: 0.2, layerDecay: isFranca ? 1 : 0.9 },
    train: { ...base.train, batch: 2 },
  };
}

/** Parameter values with enough spread that every module matters; the teacher is a perturbed student. */
export function paramValue(s: ParamSpec, seed = 0): Float32Array {
  const n = s.shape.reduce((a, b) => a * b, 1);
  const bare = s.name.replace(/^teacher\./, "");
  const salt =
    [...bare].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) + (s.name === bare ? 0 : 999) + seed;
  if (/norm\d?\.weight$/.test(bare)) return Float32Array.from(numbers(n, salt, 0.8, 1.2));
  if (bare.endsWith("weight_g")) return Float32Array.from(numbers(n, salt, 0.5, 1.5));
  if (bare.endsWith("gamma")) return Float32Array.from(numbers(n, salt, 0.2, 0.6));
  return Float32Array.from(numbers(n, salt, -0.3, 0.3));
}

/** One batch: crops in [0, 1], two of the four global crops masked (3 and 5 patches of 16). */
export function tinyBatch(ir: ModelIR, upperbound: number): Record<string, HostTensor> {
  const B = ir.train.batch;
  const sg = ir.crops.global.size;
  const sl = ir.crops.local.size;
  const nl = ir.crops.local.count;
  const P = (sg / ir.backbone.patch) ** 2;
  const masks = new Uint8Array(2 * B * P);
  const masked: [number, number[]][] = [
    [1, [0, 5, 6]],
    [2, [3, 7, 8, 9, 15]],
  ];
  const indices: number[] = [];
  const weights: number[] = [];
  for (const [img, ps] of masked)
    for (const p of ps) {
      masks[img * P + p] = 1;
      indices.push(img * P + p);
      weights.push(1 / ps.length);
    }
  const n = indices.length;
  while (indices.length < upperbound) {
    indices.push(0);
    weights.push(0);
  }
  const feeds: Record<string, HostTensor> = {
    global_crops: f32([2 * B, 3, sg, sg], numbers(2 * B * 3 * sg * sg, 11, 0, 1)),
    local_crops: f32([nl * B, 3, sl, sl], numbers(nl * B * 3 * sl * sl, 12, 0, 1)),
    masks: { dtype: "bool", dims: [2 * B, P], data: masks },
    mask_indices: { dtype: "int64", dims: [upperbound], data: BigInt64Array.from(indices.map(BigInt)) },
    mask_weights: f32([upperbound], weights),
    n_masked: { dtype: "int64", dims: [], data: BigInt64Array.from([BigInt(n)]) },
    teacher_temp: f32([], [0.05]),
    ibot_teacher_temp: f32([], [0.06]),
  };
  return feeds;
}
