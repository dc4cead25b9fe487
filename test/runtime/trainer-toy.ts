// A hand-made "training graph" that follows the graph contract (docs/graph-contract.md) with a handful of nodes:
// one parameter (named like a real one, pos_embed, so the seeded initialiser knows it), its teacher and AdamW-like
// moments, a centering state, the step counter, three schedules and the crop batches. It lets the trainer's loop,
// checkpoints, resume, stop requests and NaN guard be tested in milliseconds per step, independently of the ViT.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkSpec } from "../../src/lower/check-spec.js";
import type { GraphEntry, IoEntry, Manifest } from "../../src/lower/manifest.js";
import type { OnnxModel, OnnxNode, OnnxValueInfo } from "../../src/onnx/model.js";
import { encodeModel } from "../../src/onnx/serialize.js";
import type { TrainJob } from "../../src/runtime/trainer/job.js";
import { withOverrides } from "../../src/runtime/trainer/overrides.js";

const P = "pos_embed";
const SHAPE = [1, 65, 64];

export interface ToyOptions {
  readonly steps: number;
  /** the `loss_probe` metric is sqrt(nanAfter − step): NaN once step > nanAfter */
  readonly nanAfter?: number;
}

function io(
  name: string,
  dtype: IoEntry["dtype"],
  shape: (number | string)[],
  rest: Omit<IoEntry, "name" | "dtype" | "shape">,
): IoEntry {
  return { name, dtype, shape, ...rest };
}

export function toyGraphEntry(batch: number): GraphEntry {
  const f = "float32";
  return {
    kind: "train",
    file: "toy.train.onnx",
    opset: 17,
    nodes: 0,
    inputs: [
      io("global_crops", f, [2 * batch, 3, 32, 32], { role: "batch" }),
      io("local_crops", f, [2 * batch, 3, 16, 16], { role: "batch" }),
      io("n_masked", "int64", [], { role: "batch" }),
      io(P, f, SHAPE, { role: "param" }),
      io(`teacher.${P}`, f, SHAPE, { role: "teacher" }),
      io(`opt_m.${P}`, f, SHAPE, { role: "opt_m" }),
      io(`opt_v.${P}`, f, SHAPE, { role: "opt_v" }),
      io("dino_loss.center", f, [1, 2], { role: "state" }),
      io("step", "int64", [], { role: "step" }),
      io("lr", f, [], { role: "schedule", schedule: "lr" }),
      io("momentum", f, [], { role: "schedule", schedule: "teacher_momentum" }),
      io("last_layer_lr_factor", f, [], { role: "schedule" }),
    ],
    outputs: [
      io(`next.${P}`, f, SHAPE, { role: "param", next: P }),
      io(`next.teacher.${P}`, f, SHAPE, { role: "teacher", next: `teacher.${P}` }),
      io(`next.opt_m.${P}`, f, SHAPE, { role: "opt_m", next: `opt_m.${P}` }),
      io(`next.opt_v.${P}`, f, SHAPE, { role: "opt_v", next: `opt_v.${P}` }),
      io("next.dino_loss.center", f, [1, 2], { role: "state", next: "dino_loss.center" }),
      io("next.step", "int64", [], { role: "step", next: "step" }),
      io("loss", f, [], { role: "metric" }),
      io("loss_probe", f, [], { role: "metric" }),
      io("lr_seen", f, [], { role: "metric" }),
    ],
  };
}

function toyModel(entry: GraphEntry, nanAfter: number): OnnxModel {
  const n = (opType: string, inputs: string[], outputs: string[], attrs?: OnnxNode["attrs"]): OnnxNode => ({
    opType,
    inputs,
    outputs,
    ...(attrs ? { attrs } : {}),
  });
  const keep0 = { keepdims: { type: "int" as const, i: 0 } };
  const nodes: OnnxNode[] = [
    n("ReduceMean", ["global_crops"], ["xg"], keep0),
    n("ReduceMean", ["local_crops"], ["xl"], keep0),
    n("Add", ["xg", "xl"], ["x"]),
    n("Mul", [P, "x"], ["g"]), // a "gradient" that depends on the data
    n("Mul", ["lr", "last_layer_lr_factor"], ["rate"]),
    n("Mul", ["g", "rate"], ["delta"]),
    n("Sub", [P, "delta"], [`next.${P}`]),
    n("Mul", [`opt_m.${P}`, "c09"], ["m9"]),
    n("Mul", ["g", "c01"], ["g1"]),
    n("Add", ["m9", "g1"], [`next.opt_m.${P}`]),
    n("Mul", ["g", "g"], ["gg"]),
    n("Add", [`opt_v.${P}`, "gg"], [`next.opt_v.${P}`]),
    n("Mul", ["momentum", `teacher.${P}`], ["tm"]),
    n("Sub", ["c1", "momentum"], ["om"]),
    n("Mul", ["om", `next.${P}`], ["sm"]),
    n("Add", ["tm", "sm"], [`next.teacher.${P}`]),
    n("Mul", ["dino_loss.center", "c09"], ["c9"]),
    n("Mul", ["x", "c01"], ["x1"]),
    n("Add", ["c9", "x1"], ["next.dino_loss.center"]),
    n("Add", ["step", "one64"], ["next.step"]),
    n("Mul", [P, P], ["pp"]),
    n("ReduceSum", ["pp"], ["ss"], keep0),
    n("Add", ["ss", "x"], ["loss"]),
    n("Cast", ["step"], ["stepf"], { to: { type: "int", i: 1 } }),
    n("Sub", ["k", "stepf"], ["room"]),
    n("Sqrt", ["room"], ["loss_probe"]),
    n("Identity", ["rate"], ["lr_seen"]),
  ];
  const vi = (e: IoEntry): OnnxValueInfo => ({
    name: e.name,
    dtype: e.dtype as OnnxValueInfo["dtype"],
    shape: e.shape,
  });
  const scalar = (name: string, v: number) => ({
    name,
    dtype: "float32" as const,
    dims: [],
    data: Float32Array.of(v),
  });
  return {
    opset: 17,
    graph: {
      name: "toy_train",
      nodes,
      inputs: entry.inputs.map(vi),
      outputs: entry.outputs.map(vi),
      initializers: [
        scalar("c09", 0.9),
        scalar("c01", 0.1),
        scalar("c1", 1),
        scalar("k", nanAfter),
        { name: "one64", dtype: "int64", dims: [], data: BigInt64Array.of(1n) },
      ],
    },
  };
}

/** Writes the toy graph into `dir` and returns a job for it (franca-tiny's crops/masking feed its batch inputs). */
export function toyJob(dir: string, opts: ToyOptions, over: Partial<TrainJob> = {}): TrainJob {
  mkdirSync(dir, { recursive: true });
  const base = checkSpec("examples/franca-tiny.vfm").models[0]!;
  const ir = withOverrides(base, { batch: 2, steps: opts.steps });
  const entry = toyGraphEntry(2);
  const model = join(dir, "toy.train.onnx");
  writeFileSync(model, encodeModel(toyModel(entry, opts.nanAfter ?? 1e9)));
  const manifest: Manifest = {
    format: "vfmc-manifest",
    version: 1,
    model: "toy",
    spec: "toy",
    chain: ["toy"],
    input: {
      channels: 3,
      resolution: 32,
      grid: 8,
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
      normalisedInGraph: true,
    },
    backbone: { dim: 64, depth: 1, heads: 1, patch: 4, registers: 0, posGrid: 8, ffn: "mlp" },
    graphs: [entry],
    params: [
      {
        name: P,
        shape: SHAPE,
        trainable: true,
        decay: true,
        lrMultiplier: 1,
        group: "backbone",
        lastLayer: false,
      },
    ],
    schedules: { lr: ir.optim.lr, teacher_momentum: ir.teacher.momentum },
    train: { batch: 2, totalSteps: opts.steps, epochLength: ir.train.epochLength, seed: ir.train.seed },
  };
  return {
    ir,
    manifest,
    trainModel: model,
    outDir: dir,
    identity: { model: "toy", runHash: "toyhash", seed: ir.train.seed, data: "synthetic:0" },
    record: { model: "toy" },
    data: { kind: "synthetic", seed: 0, size: 32, trainSize: 64, testSize: 16 },
    device: "cpu",
    threads: 1,
    dataWorkers: 0,
    resume: false,
    checkpointEvery: 0,
    evalEvery: 0,
    knn: { enabled: false },
    ...over,
  };
}
