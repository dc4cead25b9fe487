// vfmc side of `npm run bench -- --only data`, one measurement per process (job as JSON in argv[2], result to
// job.result):
//   data-vfmc    the training data pipeline exactly as `vfmc run` drives it — a folder source, the spec's crops and
//                masks (batchStreamOptions), `workers` batch-worker threads with the trainer's prefetch — timed per
//                batch after `warmup` batches; CPU time of the whole process (all its threads, libvips' included)
//                over the timed batches;
//   decode-vfmc  one RandomResizedCrop (224 px, scale 0.32–1) from a big JPEG: header, shrink-on-load decode to
//                what the crop needs, crop — and the same with the whole image decoded, for comparison.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { checkSpec } from "../src/lower/check-spec.js";
import { createBatchProducer } from "../src/runtime/augment/worker-pool.js";
import { applyCrop, decodeScale, drawCrop, REFERENCE_AUGMENT } from "../src/runtime/augment/multi-crop.js";
import { decodePixels, imageHeader, readImageBytes } from "../src/runtime/image/decode.js";
import { Rng } from "../src/runtime/rng.js";
import { batchStreamOptions } from "../src/runtime/trainer/data-options.js";
import type { ChildResult, DataJob } from "./jobs.js";

const HERE = dirname(fileURLToPath(import.meta.url));

async function pipeline(job: Extract<DataJob, { kind: "data-vfmc" }>): Promise<ChildResult> {
  const ir = checkSpec(job.spec).models.find((m) => m.name === job.model);
  if (!ir) throw new Error(`${job.spec} has no model ${job.model}`);
  const options = batchStreamOptions(
    { ...ir, train: { ...ir.train, batch: job.batch } },
    {
      kind: "folder",
      path: job.root,
    },
  );
  const producer = await createBatchProducer({
    ...options,
    workers: job.workers,
    prefetch: 2 * job.workers,
    workerScript: pathToFileURL(join(HERE, "batch-worker.mjs")),
  });
  try {
    if (producer.mode !== "workers" && job.workers > 0) throw new Error("the batch workers did not start");
    for (let i = 0; i < job.warmup; i++) await producer.next();
    const samples: number[] = [];
    const cpu0 = process.cpuUsage();
    let t0 = performance.now();
    for (let i = 0; i < job.iters; i++) {
      await producer.next();
      const t = performance.now();
      samples.push((t - t0) / 1000);
      t0 = t;
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      samples,
      itemsPerIter: job.batch,
      extra: {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        timedSeconds: samples.reduce((a, b) => a + b, 0),
        timedImages: job.iters * job.batch,
        workers: producer.workers,
      },
    };
  } finally {
    await producer.close();
  }
}

async function decode(job: Extract<DataJob, { photo: string }>): Promise<ChildResult> {
  const crop = { count: 1, size: 224, scale: [0.32, 1] as [number, number] };
  const time = async (full: boolean, i: number) => {
    const t0 = performance.now();
    const bytes = await readImageBytes(job.photo);
    const header = await imageHeader(bytes, job.photo);
    const d = drawCrop(header.width, header.height, crop, 0, REFERENCE_AUGMENT, Rng.derive(1, "decode", i));
    const scale = full ? 1 : decodeScale([{ box: d.box, size: crop.size }]);
    const pixels = await decodePixels(bytes, header, job.photo, scale);
    applyCrop(pixels, header.width, header.height, d, crop, REFERENCE_AUGMENT);
    return { seconds: (performance.now() - t0) / 1000, decoded: [pixels.width, pixels.height], header };
  };
  const samples: number[] = [];
  const full: number[] = [];
  let decoded: number[] = [];
  let size: number[] = [];
  for (let i = 0; i < job.warmup + job.iters; i++) {
    const r = await time(false, i);
    if (i >= job.warmup) samples.push(r.seconds);
    decoded = r.decoded;
    size = [r.header.width, r.header.height];
  }
  for (let i = 0; i < Math.min(job.iters, 3); i++) full.push((await time(true, i)).seconds);
  return { samples, itemsPerIter: 1, extra: { size, decoded, fullDecodeSamples: full } };
}

async function run(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as DataJob;
  if (job.kind === "data-torch") throw new Error("a PyTorch job sent to the vfmc data worker");
  const result = job.kind === "data-vfmc" ? await pipeline(job) : await decode(job);
  writeFileSync(job.result, JSON.stringify(result));
}

run().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
