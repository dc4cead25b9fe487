// onnxruntime side of `npm run bench`: one measurement per process (job JSON on argv[2], result JSON to
// job.result). The training step is driven exactly as vfmc's trainer drives it — the manifest's plan, the seeded
// initial state, the returned state fed back, K steps per call of the steps graph, the trainer's batch feeds —
// but with one fixed batch, so only the step itself is timed (the PyTorch peer likewise reuses one batch and does
// no augmentation).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkSpec } from "../src/lower/check-spec.js";
import type { Manifest } from "../src/lower/manifest.js";
import { encodeModel } from "../src/onnx/serialize.js";
import { createMaskGenerator } from "../src/runtime/masks/create.js";
import { collateMasks } from "../src/runtime/masks/collate.js";
import { patchOrders } from "../src/runtime/masks/random.js";
import { Rng } from "../src/runtime/rng.js";
import { checkDevice, ort, sessionOptions, type Device } from "../src/runtime/session.js";
import { batchFeeds } from "../src/runtime/trainer/batch-feeds.js";
import { trainPlan } from "../src/runtime/trainer/plan.js";
import { CarriedState, freshState, paramInitialiser } from "../src/runtime/trainer/state.js";
import { metricAt, stackFeeds } from "../src/runtime/trainer/steps-call.js";
import type { StepBatch } from "../src/runtime/augment/batch-job.js";
import type { ChildResult, MatmulSize, OrtJob } from "./jobs.js";
import { matmulLoopModel } from "./matmul-loop.js";
import { peakRssBytes, resetPeakRss, rssBytes } from "./proc-memory.js";
import { summariseProfile } from "./profile-summary.js";
import { writeResult } from "./result-file.js";
import { SCHEDULES } from "./recipe.js";

type Feeds = Record<string, ort.Tensor>;

/** manifest schedule key → the value fed at every benchmarked step (recipe.ts SCHEDULES, shared with PyTorch) */
const SCHEDULE_FEEDS: Record<string, number> = {
  lr: SCHEDULES.lr,
  weight_decay: SCHEDULES.wd,
  teacher_momentum: SCHEDULES.momentum,
  teacher_temp: SCHEDULES.teacher_temp,
  ibot_teacher_temp: SCHEDULES.teacher_temp,
};

async function session(
  model: string | Uint8Array,
  job: { device: Device; threads: number; spin: boolean },
  profileDir?: string,
  deviceOutputs?: readonly string[],
) {
  checkDevice(job.device);
  const opts: ort.InferenceSession.SessionOptions = {
    ...sessionOptions({
      device: job.device,
      threads: job.threads,
      optimization: "all",
      ...(deviceOutputs ? { deviceOutputs } : {}),
    }),
    ...(job.spin
      ? {}
      : { extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } } }),
    ...(profileDir ? { enableProfiling: true, profileFilePrefix: join(profileDir, "ort-train") } : {}),
  };
  return typeof model === "string"
    ? ort.InferenceSession.create(model, opts)
    : ort.InferenceSession.create(model, opts);
}

/** warmup + iters runs of `step`; the high-water mark is reset before the first run, read after it. */
async function timed(
  step: () => Promise<void>,
  warmup: number,
  iters: number,
): Promise<Pick<ChildResult, "samples" | "memory">> {
  const baselineRss = rssBytes();
  const peakResettable = resetPeakRss();
  let peakRss = 0;
  const samples: number[] = [];
  for (let i = 0; i < warmup + iters; i++) {
    const t0 = performance.now();
    await step();
    const dt = (performance.now() - t0) / 1000;
    if (i === 0) peakRss = peakRssBytes();
    if (i >= warmup) samples.push(dt);
  }
  return { samples, memory: { baselineRss, peakRss, peakResettable } };
}

function uniform(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(0, 1);
  return out;
}

/** One batch of random crops in [0, 1] and the recipe's masks, the way the data pipeline shapes them. */
function fixedBatch(
  manifest: Manifest,
  specFile: string,
): { batch: StepBatch; ir: ReturnType<typeof checkSpec>["models"][number] } {
  const ir = checkSpec(specFile).models.find((m) => m.name === manifest.model);
  if (!ir) throw new Error(`${specFile}: model ${manifest.model} not found`);
  const B = ir.train.batch;
  const C = ir.input.channels;
  const { global: g, local: l } = ir.crops;
  const rng = Rng.derive(ir.train.seed, "bench");
  const crops = {
    batch: B,
    global: uniform(g.count * B * C * g.size * g.size, rng),
    local: uniform(l.count * B * C * l.size * l.size, rng),
    globalShape: [g.count * B, C, g.size, g.size] as const,
    localShape: [l.count * B, C, l.size, l.size] as const,
    labels: new Int32Array(B),
    indices: new Int32Array(B),
    skipped: [],
  };
  const m = ir.masking;
  const masks =
    m.kind !== "block" && m.kind !== "cyclic"
      ? undefined
      : collateMasks(
          g.count * B,
          createMaskGenerator(m.kind, g.size, ir.backbone.patch),
          { ratio: [m.ratio.lo, m.ratio.hi], images: m.images },
          rng,
        );
  const patchOrder =
    m.kind === "random" ? patchOrders(B, (g.size / ir.backbone.patch) ** 2, 0, 0) : undefined;
  return {
    batch: { step: 0, crops, ...(masks ? { masks } : {}), ...(patchOrder ? { patchOrder } : {}) },
    ir,
  };
}

async function ortTrain(job: Extract<OrtJob, { kind: "ort-train" }>): Promise<ChildResult> {
  const manifest = JSON.parse(readFileSync(join(job.dir, `${job.model}.manifest.json`), "utf8")) as Manifest;
  const plan = trainPlan(manifest);
  const { batch, ir } = fixedBatch(manifest, manifest.spec);
  const initial = freshState(plan, paramInitialiser(ir));
  // as the trainer does: the returned state is fed back (on WebGPU it stays in GPU buffers); K steps per call
  // through the steps graph, except on WebGPU
  const onDevice = job.device === "webgpu";
  const k = onDevice ? 0 : job.stepsPerCall;
  const state = new CarriedState(plan, initial, job.device);
  const dropPath = ir.backbone.dropPath > 0 ? { rate: ir.backbone.dropPath, seed: ir.train.seed } : undefined;
  const data = batchFeeds(
    plan.batch,
    batch,
    dropPath,
    (e) => new Error(`the bench cannot feed batch input ${e.name}`),
  );
  const scalars: Feeds = {};
  for (const s of plan.schedules) {
    // mid-training values, the same the PyTorch peer uses; a host rule (last_layer_lr_factor) 1 = not frozen
    const v = s.key === undefined ? 1 : SCHEDULE_FEEDS[s.key];
    if (v === undefined) throw new Error(`the bench has no value for schedule ${s.key} (input ${s.input})`);
    scalars[s.input] = new ort.Tensor("float32", Float32Array.of(v), []);
  }
  const sess = await session(
    join(job.dir, `${job.model}.${k > 0 ? "steps" : "train"}.onnx`),
    job,
    job.profileDir,
    onDevice ? CarriedState.outputs(plan) : undefined,
  );
  const perCall =
    k > 0 ? stackFeeds(Array.from({ length: k }, () => ({ ...data, ...scalars }))) : { ...data, ...scalars };
  const losses: number[] = [];
  const calls = await timed(
    async () => {
      const fetches: Record<string, ort.Tensor | null> = state.fetches();
      for (const m of plan.metrics) fetches[m] = null;
      const r = await sess.run({ ...state.feeds(), ...perCall }, fetches as ort.InferenceSession.FetchesType);
      const loss = r["loss"] ?? r[plan.metrics[0] ?? ""];
      if (loss) for (let j = 0; j < Math.max(1, k); j++) losses.push(metricAt(loss, j));
      state.accept(r);
    },
    job.warmup,
    job.iters,
  );
  const out = { ...calls, samples: calls.samples.map((s) => s / Math.max(1, k)) };
  let profile;
  if (job.profileDir) {
    sess.endProfiling();
    profile = summariseProfile(job.profileDir, "ort-train", job.warmup);
  }
  await sess.release();
  return {
    ...out,
    itemsPerIter: ir.train.batch,
    extra: {
      loss_first: losses[0],
      loss_last: losses[losses.length - 1],
      ...(batch.masks ? { n_masked: batch.masks.nMasked, upperbound: batch.masks.upperbound } : {}),
      nodes: plan.graph.nodes,
      steps_per_call: Math.max(1, k),
      ...(profile ? { profile } : {}),
    },
  };
}

async function ortInfer(job: Extract<OrtJob, { kind: "ort-infer" }>): Promise<ChildResult> {
  const n = job.shape.reduce((a, b) => a * b, 1);
  const pixels = uniform(n, Rng.derive(0, "bench-infer"));
  const graphs = [job, ...(job.against ? [job.against] : [])];
  const runs: (() => Promise<void>)[] = [];
  for (const { onnx, input } of graphs) {
    const sess = await session(onnx, job);
    const feeds: Feeds = { [input]: new ort.Tensor("float32", pixels, [...job.shape]) };
    runs.push(async () => void (await sess.run(feeds)));
  }
  // alternating runs: a slow spell of the machine hits both graphs instead of whichever ran during it
  const samples: number[][] = graphs.map(() => []);
  for (let i = 0; i < job.warmup + job.iters; i++)
    for (const [k, run] of runs.entries()) {
      const t0 = performance.now();
      await run();
      if (i >= job.warmup) samples[k]!.push((performance.now() - t0) / 1000);
    }
  return {
    samples: samples[0]!,
    itemsPerIter: job.shape[0] ?? 0,
    ...(job.against ? { extra: { against: samples[1]! } } : {}),
  };
}

async function ortMatmul(job: Extract<OrtJob, { kind: "ort-matmul" }>): Promise<ChildResult> {
  const sizes: Record<string, MatmulSize> = {};
  for (const n of job.sizes) {
    const sess = await session(encodeModel(matmulLoopModel(n, job.loop)), job);
    const rng = Rng.derive(0, "matmul", n);
    const x = new Float32Array(n * n);
    const w = new Float32Array(n * n);
    for (let i = 0; i < n * n; i++) {
      x[i] = rng.normal();
      w[i] = rng.normal() / Math.sqrt(n);
    }
    const feeds: Feeds = { X: new ort.Tensor("float32", x, [n, n]), W: new ort.Tensor("float32", w, [n, n]) };
    const { samples } = await timed(
      async () => {
        await sess.run(feeds);
      },
      job.warmup,
      job.iters,
    );
    await sess.release();
    sizes[String(n)] = { samples, flopsPerIter: 2 * n ** 3 * job.loop };
  }
  return { samples: [], itemsPerIter: 0, extra: { sizes } };
}

async function run(job: OrtJob): Promise<ChildResult> {
  switch (job.kind) {
    case "ort-train":
      return ortTrain(job);
    case "ort-infer":
      return ortInfer(job);
    case "ort-matmul":
      return ortMatmul(job);
  }
}

const job = JSON.parse(process.argv[2] ?? "{}") as OrtJob;
try {
  const result = await run(job);
  writeResult(job.result, {
    ...result,
    env: {
      ort: ort.env.versions?.common ?? "?",
      threads: job.threads,
      device: job.device,
      processRss: rssBytes(),
      processPeakRss: peakRssBytes(),
    },
  });
} catch (e) {
  // diagnostics (a missing device, an unfeedable input) carry their text in .message or .diagnostics
  const d = (e as { diagnostics?: { message: string; hint?: string }[] }).diagnostics;
  process.stderr.write(
    (d
      ? d.map((x) => x.message + (x.hint ? `\n  hint: ${x.hint}` : "")).join("\n")
      : ((e as Error).stack ?? String(e))) + "\n",
  );
  process.exitCode = 1;
}
