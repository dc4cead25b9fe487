// The data part of `npm run bench` (`--only data`): vfmc's training data pipeline against torchvision's ImageFolder +
// DINOv2's augmentations in PIL + a PyTorch DataLoader, on the same folder of real JPEG photographs, with the same
// number of workers, in one run. The photo set is made by bench/data/make_photos.py from Debian packages when it is
// absent (never committed). Measured per side: images per second over the timed batches, and images per CPU-second
// (the whole process's CPU time: vfmc's threads; PyTorch's main process and its worker processes) — "per core".
// Also: one 224 px RandomResizedCrop from a 12 Mpx JPEG (vfmc decodes it shrunk on load, PIL whole).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { checkSpec } from "../src/lower/check-spec.js";
import { batchStreamOptions } from "../src/runtime/trainer/data-options.js";
import type { JobRequest } from "./jobs.js";
import { DATA_RECIPE, type BenchOptions } from "./options.js";
import type { Measured } from "./report.js";
import { PYTHON } from "./spawn.js";

export interface DataResults {
  readonly error?: string;
  readonly photos?: string;
  readonly images?: number;
  readonly batch?: number;
  readonly workers?: number;
  readonly crops?: string;
  /** measurements per side (alternating); the best is kept */
  readonly rounds?: number;
  readonly vfmc?: Measured;
  readonly torch?: Measured;
  readonly decodeVfmc?: Measured;
  readonly decodeTorch?: Measured;
}

type Run = (job: JobRequest, tag: string) => Promise<Measured>;

function countImages(dir: string): number {
  let n = 0;
  for (const c of readdirSync(dir, { withFileTypes: true }))
    if (c.isDirectory()) n += readdirSync(join(dir, c.name)).filter((f) => f.endsWith(".jpg")).length;
  return n;
}

/** The photo set's folder, made by bench/data/make_photos.py when absent; or why it cannot be had. */
function photoSet(root: string, dir: string, log: (s: string) => void): string | { error: string } {
  const ready = () => existsSync(join(dir, "train")) && existsSync(join(dir, "big", "photo-4000x3000.jpg"));
  if (ready()) return dir;
  log(`  · making the photo set in ${dir} (bench/data/make_photos.py, a few minutes) …`);
  const r = spawnSync(PYTHON, [join(root, "bench", "data", "make_photos.py"), dir], { encoding: "utf8" });
  if (r.status !== 0 || !ready())
    return {
      error:
        `bench/data/make_photos.py failed: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}\n` +
        "  it needs Debian's python3-pil, mate-backgrounds and python3-skimage (or run it with --source DIR)",
    };
  log(`    ${r.stdout.trim()}`);
  return dir;
}

export async function benchData(
  root: string,
  o: BenchOptions,
  run: Run,
  log: (s: string) => void,
): Promise<DataResults> {
  const set = photoSet(root, o.photos ?? join(root, "node_modules", ".cache", "vfmc-bench", "photos"), log);
  if (typeof set !== "string") return set;
  const spec = join(root, DATA_RECIPE.spec);
  const ir = checkSpec(spec).models.find((m) => m.name === DATA_RECIPE.model)!;
  const train = join(set, "train");
  const options = batchStreamOptions(ir, { kind: "folder", path: train });
  const { global: g, local: l } = options.crops;
  const timing = {
    warmup: o.quick ? 1 : 2,
    iters: o.quick ? 2 : 10,
    batch: o.dataBatch,
    workers: o.dataWorkers,
  };
  const big = join(set, "big", "photo-4000x3000.jpg");
  const decodeTiming = { warmup: 1, iters: o.quick ? 2 : 7, photo: big };
  log(`data: ${DATA_RECIPE.model} crops, batch ${o.dataBatch}, ${o.dataWorkers} workers per side`);
  // the two sides take turns, ROUNDS times; each keeps its best round (least CPU per image): on a shared machine
  // the other processes only ever make a side slower, so the best round is the closest to its own speed
  const rounds: { vfmc: Measured; torch: Measured }[] = [];
  for (let r = 0; r < (o.quick ? 1 : ROUNDS); r++)
    rounds.push({
      vfmc: await run(
        { kind: "data-vfmc", spec, model: ir.name, root: train, ...timing },
        `data-vfmc-${r + 1}`,
      ),
      torch: await run(
        { kind: "data-torch", root: train, crops: options.crops, masking: options.masking, ...timing },
        `data-torch-${r + 1}`,
      ),
    });
  return {
    photos: set,
    images: countImages(train),
    batch: o.dataBatch,
    workers: o.dataWorkers,
    crops: `${g.count} × ${g.size} px + ${l.count} × ${l.size} px, ${options.masking?.kind ?? "no"} masks`,
    rounds: rounds.length,
    vfmc: best(rounds.map((r) => r.vfmc)),
    torch: best(rounds.map((r) => r.torch)),
    decodeVfmc: await run({ kind: "decode-vfmc", ...decodeTiming }, "decode-vfmc"),
    decodeTorch: await run({ kind: "decode-torch", ...decodeTiming }, "decode-torch"),
  };
}

const ROUNDS = 3;

/** The round with the most images per CPU-second (a failed round only if all failed). */
function best(ms: readonly Measured[]): Measured {
  const ok = ms.filter((m) => throughput(m));
  if (ok.length === 0) return ms[0]!;
  return ok.reduce((a, b) => (throughput(b)!.perCpuSecond > throughput(a)!.perCpuSecond ? b : a));
}

/** Images per second over all timed batches, per CPU-second of the measuring process(es), and cores kept busy. */
export function throughput(
  m: Measured | undefined,
): { perSec: number; perCpuSecond: number; cores: number } | undefined {
  if (!m?.ok) return undefined;
  const x = m.extra ?? {};
  const [wall, images, cpu] = [x["timedSeconds"], x["timedImages"], x["cpuSeconds"]] as (
    number | undefined
  )[];
  if (!wall || !images || !cpu) return undefined;
  return { perSec: images / wall, perCpuSecond: images / cpu, cores: cpu / wall };
}

function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return "–";
  return x >= 100 ? x.toFixed(0) : x.toPrecision(digits);
}

function ms(m: Measured | undefined): string {
  return m?.ok && m.seconds ? `${(1000 * m.seconds.median).toFixed(0)} ms` : m && !m.ok ? "failed" : "–";
}

/** The data part's table, and how many cores would feed each training step measured in the same run. */
export function printData(
  d: DataResults,
  trainRates: readonly { label: string; device: string; perSec: number }[],
  out: (s: string) => void,
): void {
  if (d.error) {
    out(`\nData pipeline: ${d.error}`);
    return;
  }
  out(
    `\nData pipeline — ${DATA_RECIPE.model} crops (${d.crops}), batch ${d.batch}, ${d.workers} workers per side, ` +
      `${d.images} JPEGs (${d.photos}); best of ${d.rounds} alternating rounds per side`,
  );
  out(
    "vfmc: folder source, batch-worker threads; torchvision: ImageFolder + DINOv2's augmentations in PIL, DataLoader",
  );
  const v = throughput(d.vfmc);
  const t = throughput(d.torch);
  const rows = [["", "images/s", "images per CPU-second", "CPU cores busy"]];
  for (const [name, x, m] of [
    ["vfmc", v, d.vfmc],
    ["torchvision", t, d.torch],
  ] as const)
    rows.push(
      x
        ? [name, fmt(x.perSec), fmt(x.perCpuSecond), fmt(x.cores, 2)]
        : [name, m && !m.ok ? `failed: ${m.error.split("\n").pop()}` : "–", "", ""],
    );
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    out("  " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
  if (v && t)
    out(
      `  vfmc ÷ torchvision: ${fmt(v.perSec / t.perSec)}× images/s, ${fmt(v.perCpuSecond / t.perCpuSecond)}× ` +
        "images per CPU-second (per core)",
    );
  const dv = d.decodeVfmc;
  const decoded = dv?.ok ? (dv.extra?.["decoded"] as number[] | undefined) : undefined;
  const full = dv?.ok ? (dv.extra?.["fullDecodeSamples"] as number[] | undefined) : undefined;
  const fullMs = full?.length
    ? `${((1000 * full.reduce((a, b) => a + b, 0)) / full.length).toFixed(0)} ms`
    : "–";
  out(
    `12 Mpx JPEG (4000 × 3000) → one 224 px RandomResizedCrop: vfmc ${ms(dv)} (shrunk on load to ` +
      `${decoded ? decoded.join(" × ") : "?"}; ${fullMs} decoding it whole), torchvision/PIL ${ms(d.decodeTorch)} ` +
      "(decoded whole), median",
  );
  if (!v) return;
  if (trainRates.length === 0) {
    out(
      "Cores to feed a training step: no step measured in this run (add train, e.g. `--only data,train --recipes " +
        "dinov2-vits14`, with --device cuda on a GPU)",
    );
    return;
  }
  out(
    "Cores to feed the training step measured above (its images/s ÷ the data pipeline's images per CPU-second):",
  );
  for (const r of trainRates)
    out(
      `  ${r.label} (${r.device}): ${fmt(r.perSec)} images/s → vfmc ${fmt(r.perSec / v.perCpuSecond, 2)} cores` +
        (t ? `, torchvision ${fmt(r.perSec / t.perCpuSecond, 2)} cores` : ""),
    );
}
