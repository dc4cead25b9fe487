// The GPU run kit's measurements (`check.sh`, written by `npm run gpu:kit`): on the machine the kit is carried to,
// one table of vfmc on --device against PyTorch (fp32 and bf16 autocast) where PyTorch is there, for the two bench
// recipes. Per recipe:
//   - `vfmc run --train` for --steps steps, the whole trainer (data pipeline, state on the device, checkpoint):
//     images/s from the median step time after the first two steps (the first pays shader compilation);
//   - the bench's own children (ort-worker, torch_peer.py) on one fixed batch: the training step and the inference
//     graph, timed as `npm run bench` times them, and one profiled step (where the step's time goes);
//   - PyTorch's training step and inference in fp32 and in bf16 autocast, on CUDA for a GPU run (skipped, with the
//     reason, where torch or its CUDA is missing).
// Every measurement runs in its own process; one that fails is a row saying why, and the others still run.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Device, JobRequest } from "./jobs.js";
import { profileJob, quickVariant } from "./main.js";
import type { ProfileSummary } from "./profile-summary.js";
import { loadRecipe, type Recipe } from "./recipe.js";
import { PYTHON, runChild } from "./spawn.js";
import { median, rateOf } from "./stats.js";
import { RECIPES } from "./options.js";

const ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const TORCH_PEER = join(ROOT, "bench", "torch_peer.py");
const VFMC = join(ROOT, "bin", "vfmc.js");

interface CheckOptions {
  device: Device;
  steps: number;
  /** smaller batches and fewer steps: the kit's own local test */
  quick: boolean;
  out: string;
  threads: number;
}

interface Row {
  recipe: string;
  what: string;
  imgPerSec?: number;
  msPerStep?: number;
  note?: string;
}

function parse(argv: readonly string[]): CheckOptions {
  const opts: CheckOptions = { device: "webgpu", steps: 20, quick: false, out: "", threads: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--device") opts.device = next() as Device;
    else if (a === "--steps") opts.steps = Number(next());
    else if (a === "--quick") opts.quick = true;
    else if (a === "--out") opts.out = next();
    else if (a === "--threads") opts.threads = Number(next());
    else if (a === "--help" || a === "-h") {
      process.stdout.write(
        "check.sh [--device webgpu|cuda|cpu] [--steps N] [--quick] [--out DIR] [--threads T]\n" +
          "  vfmc doctor, then per bench recipe: vfmc run --train for N steps (default 20), the training step and\n" +
          "  the inference graph timed on one batch, one profiled step, and PyTorch fp32 / bf16 autocast where\n" +
          "  PyTorch (with CUDA, for a GPU device) is installed. One table at the end; everything as JSON in --out.\n",
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a} (check.sh --help)`);
  }
  if (!["webgpu", "cuda", "cpu"].includes(opts.device))
    throw new Error(`--device ${opts.device}: webgpu, cuda or cpu`);
  if (!(opts.steps >= 3)) throw new Error("--steps: at least 3 (the first two are warm-up)");
  return opts;
}

/** Runs `node bin/vfmc.js ARGS`, its output passed through; resolves with the exit status. */
function vfmc(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [VFMC, ...args], { stdio: "inherit", env });
    child.on("close", (code) => res(code ?? 1));
  });
}

/** Why the PyTorch side cannot run on `device` (CUDA for a GPU run), or undefined when it can. */
function torchProblem(device: Device): string | undefined {
  const needCuda = device === "cpu" ? "False" : "True";
  const p = spawnSync(
    PYTHON,
    ["-c", `import torch, sys; sys.exit(3 if ${needCuda} and not torch.cuda.is_available() else 0)`],
    { encoding: "utf8" },
  );
  if (p.error) return `no ${PYTHON}`;
  if (p.status === 3) return `${PYTHON}: torch.cuda.is_available() is False`;
  if (p.status !== 0) return `${PYTHON} cannot import torch`;
  return undefined;
}

const fmt = (x: number | undefined, digits = 1) =>
  x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits);

function table(rows: readonly Row[]): string {
  const cells = [
    ["recipe", "measurement", "img/s", "ms", "note"],
    ...rows.map((r) => [r.recipe, r.what, fmt(r.imgPerSec), fmt(r.msPerStep), r.note ?? ""]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells
    .map((c) =>
      c
        .map((v, i) => v.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  const o = parse(argv);
  const out = resolve(o.out || mkdtempSync(join(tmpdir(), "vfmc-gpu-check-")));
  mkdirSync(join(out, "results"), { recursive: true });
  const log = (s: string) => process.stderr.write(s + "\n");
  const rows: Row[] = [];
  const profiles: Record<string, ProfileSummary | undefined> = {};
  let failed = false;

  log(`== vfmc doctor`);
  await vfmc(["doctor"]);
  const torchWhy = torchProblem(o.device);
  const torchDevice: Device = o.device === "cpu" ? "cpu" : "cuda";
  const threads = o.threads || (o.device === "cpu" ? 2 : 4);
  let n = 0;
  const child = async (job: JobRequest, tag: string) => {
    log(`  · ${tag}`);
    const r = await runChild(
      { ...job, result: join(out, "results", `${String(++n).padStart(2, "0")}-${tag}.json`) } as never,
      {
        threads,
        spin: true,
        torchPeer: TORCH_PEER,
        timeoutSeconds: 1800,
        verbose: false,
      },
    );
    if (!r.ok) log(`    failed: ${r.error.split("\n").slice(-3).join(" | ")}`);
    return r;
  };

  for (const ref of RECIPES) {
    let recipe: Recipe = loadRecipe(ref.label, join(ROOT, ref.file));
    if (o.quick) recipe = quickVariant(recipe, 2, out);
    const { ir } = recipe;
    const B = ir.train.batch;
    log(`== ${ref.label}: ${ir.name}, batch ${B}, --device ${o.device}`);

    // 1. the whole trainer
    const runDir = join(out, `run-${ref.label}`);
    const code = await vfmc([
      "run",
      "--train",
      recipe.file,
      "--model",
      ir.name,
      "--device",
      o.device,
      "--steps",
      String(o.steps),
      "--no-knn",
      "--checkpoint-every",
      "0",
      "--out",
      runDir,
      "--restart",
    ]);
    if (code !== 0) {
      failed = true;
      rows.push({ recipe: ref.label, what: `vfmc run --device ${o.device}`, note: `failed (exit ${code})` });
    } else {
      const ms = readFileSync(join(runDir, "metrics.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { step?: number; step_ms?: number })
        .filter((l) => typeof l.step_ms === "number" && (l.step ?? 0) > 2)
        .map((l) => l.step_ms!);
      const med = median(ms);
      rows.push({
        recipe: ref.label,
        what: `vfmc run --device ${o.device} (trainer)`,
        imgPerSec: (B * 1000) / med,
        msPerStep: med,
        note: `median of steps 3–${o.steps}, data pipeline included`,
      });
    }

    // 2. the bench's fixed-batch measurements, on the graphs compile-worker writes
    const dir = join(out, ref.label);
    const compiled = await child(
      { kind: "compile", spec: recipe.file, model: ir.name, out: dir, keep: true, emit: "infer,train,steps" },
      `${ref.label}-compile`,
    );
    const timedOrt = { device: o.device, threads, spin: true };
    if (compiled.ok) {
      const k = o.device === "webgpu" ? 0 : 4;
      const train = await child(
        {
          kind: "ort-train",
          ...timedOrt,
          warmup: 2,
          iters: k > 0 ? Math.ceil(o.steps / k) : o.steps,
          dir,
          model: ir.name,
          stepsPerCall: k,
        },
        `${ref.label}-train-vfmc`,
      );
      rows.push(rowOf(ref.label, `vfmc train step, ${o.device}${k ? ` (${k} per call)` : ""}`, train));
      const R = ir.export.resolution;
      const infer = await child(
        {
          kind: "ort-infer",
          ...timedOrt,
          warmup: 3,
          iters: 20,
          onnx: join(dir, `${ir.name}.infer.onnx`),
          input: "pixel_values",
          shape: [B, ir.input.channels, R, R],
        },
        `${ref.label}-infer-vfmc`,
      );
      rows.push(rowOf(ref.label, `vfmc inference, ${o.device}`, infer));
      const profileDir = join(dir, "profile");
      mkdirSync(profileDir, { recursive: true });
      const prof = await child(profileJob(timedOrt, dir, ir.name, profileDir), `${ref.label}-profile`);
      profiles[ref.label] = prof.ok ? (prof.result.extra?.["profile"] as ProfileSummary) : undefined;
    } else {
      failed = true;
      rows.push({ recipe: ref.label, what: "vfmc compile", note: "failed" });
    }

    // 3. PyTorch, fp32 and bf16 autocast
    const torch = typeof recipe.torch === "string" ? undefined : recipe.torch;
    const why = torchWhy ?? (typeof recipe.torch === "string" ? recipe.torch : undefined);
    for (const autocast of [undefined, "bf16"] as const) {
      const label = autocast ?? "fp32";
      if (!torch || why) {
        rows.push({ recipe: ref.label, what: `PyTorch ${torchDevice} ${label}`, note: `skipped: ${why}` });
        continue;
      }
      const timedTorch = { device: torchDevice, threads, spin: true, ...(autocast ? { autocast } : {}) };
      const t = await child(
        { kind: "torch-train", ...timedTorch, warmup: 2, iters: o.steps, recipe: torch },
        `${ref.label}-train-torch-${label}`,
      );
      rows.push(rowOf(ref.label, `PyTorch train step, ${torchDevice} ${label}`, t));
      const i = await child(
        { kind: "torch-infer", ...timedTorch, warmup: 3, iters: 20, recipe: torch, batch: B },
        `${ref.label}-infer-torch-${label}`,
      );
      rows.push(rowOf(ref.label, `PyTorch inference, ${torchDevice} ${label}`, i));
    }
  }

  const lines = [
    "",
    `vfmc GPU check: --device ${o.device}, ${o.steps} steps${o.quick ? ", --quick (batch 2)" : ""}; node ${process.version}; ` +
      `PyTorch: ${torchWhy ? `none (${torchWhy})` : PYTHON}`,
    "ms: median per training step, or per inference batch (the recipe's batch)",
    "",
    table(rows),
  ];
  for (const [label, p] of Object.entries(profiles)) {
    if (!p) continue;
    const providers = Object.entries(p.providers)
      .map(([k, v]) => `${k} ${((100 * v) / Math.max(1, p.nodeUs)).toFixed(0)}%`)
      .join(", ");
    lines.push(
      "",
      `where ${label}'s training step goes (${p.runs} profiled steps; kernel time by provider: ${providers}):`,
      ...p.ops
        .slice(0, 8)
        .map((op) => `  ${op.op.padEnd(28)} ${(100 * op.share).toFixed(1).padStart(5)}%  ${op.calls} calls`),
    );
  }
  process.stdout.write(lines.join("\n") + "\n");
  writeFileSync(join(out, "gpu-check.json"), JSON.stringify({ options: o, rows, profiles }, null, 2) + "\n");
  log(`\nresults: ${join(out, "gpu-check.json")}`);
  return failed ? 1 : 0;
}

function rowOf(recipe: string, what: string, r: Awaited<ReturnType<typeof runChild>>): Row {
  if (!r.ok) return { recipe, what, note: `failed: ${r.error.split("\n")[0]}` };
  const rate = r.result.samples.length ? rateOf(r.result.samples, r.result.itemsPerIter) : undefined;
  const ms = r.result.samples.length ? median(r.result.samples) * 1000 : undefined;
  return {
    recipe,
    what,
    ...(rate ? { imgPerSec: rate.perSec } : {}),
    ...(ms !== undefined ? { msPerStep: ms } : {}),
    ...(rate ? { note: `${rate.n} timed, spread ${(100 * rate.spread).toFixed(0)}%` } : {}),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1]))
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    },
  );
