// `npm run bench`: vfmc (onnxruntime-node) against PyTorch eager on the same recipes, one child process per
// measurement, results side by side with ratios (report.ts), optionally as JSON. The plan:
//   1. matmul peak probes (ORT MatMul in a Loop, torch.mm) — the denominator of MFU;
//   2. per recipe: `vfmc compile` (timed), the train step on both sides (img/s, peak RSS of one step), the
//      inference graph vs PyTorch eager vs PyTorch's own torch.onnx.export run in onnxruntime-node, and one
//      profiled train step (top onnxruntime ops by time);
//   3. compile time of every model in specs/;
//   4. the data pipeline against torchvision's on JPEG photographs (bench/data.ts).
import { spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSpec } from "../src/lower/check-spec.js";
import type { Manifest } from "../src/lower/manifest.js";
import { encodeModel } from "../src/onnx/serialize.js";
import { checkDevice, createSession, ort } from "../src/runtime/session.js";
import type { ChildResult, Device, Job, JobRequest } from "./jobs.js";
import { benchData } from "./data.js";
import { parseOptions, UsageError, type BenchOptions, type Part, type RecipeRef } from "./options.js";
import { loadRecipe, RecipeError, type Recipe } from "./recipe.js";
import { matmulLoopModel } from "./matmul-loop.js";
import {
  anyFailed,
  printReport,
  type BenchResults,
  type CompileRow,
  type Measured,
  type PeakProbe,
  type RecipeResults,
} from "./report.js";
import { PYTHON, runChild } from "./spawn.js";
import { rateOf, summarise } from "./stats.js";

const ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const TORCH_PEER = join(ROOT, "bench", "torch_peer.py");
const MATMUL_SIZES = [256, 512, 1024];

class Bench {
  private n = 0;

  constructor(
    readonly opts: BenchOptions,
    readonly work: string,
    private readonly log: (s: string) => void,
  ) {}

  private resultPath(tag: string): string {
    return join(this.work, "results", `${String(++this.n).padStart(2, "0")}-${tag}.json`);
  }

  async run(job: JobRequest, tag: string): Promise<Measured> {
    const full = { ...job, result: this.resultPath(tag) } as Job;
    this.log(`  · ${tag} …`);
    const out = await runChild(full, {
      threads: this.opts.threads,
      spin: this.opts.spin,
      torchPeer: TORCH_PEER,
      timeoutSeconds: this.opts.timeoutSeconds,
      verbose: this.opts.verbose,
    });
    if (!out.ok) {
      this.log(`    failed: ${out.error.split("\n")[0]}`);
      return { ok: false, error: out.error };
    }
    return measured(out.result, out.wallSeconds);
  }

  private timing(train: boolean) {
    const o = this.opts;
    const torchDevice = o.device === "cpu" ? "cpu" : "cuda";
    return {
      ort: {
        device: o.device,
        threads: o.threads,
        spin: o.spin,
        warmup: train ? o.trainWarmup : o.inferWarmup,
        iters: train ? o.trainIters : o.inferIters,
      },
      torch: {
        device: torchDevice as Device,
        threads: o.threads,
        spin: o.spin,
        warmup: train ? o.trainWarmup : o.inferWarmup,
        iters: train ? o.trainIters : o.inferIters,
      },
    };
  }

  async peak(): Promise<PeakProbe> {
    const loop = this.opts.quick ? 4 : 10;
    const t = this.timing(false);
    const sizes = this.opts.quick ? [512] : MATMUL_SIZES;
    const common = { sizes, loop, warmup: 1, iters: this.opts.quick ? 2 : 5 };
    const ortR = await this.run({ kind: "ort-matmul", ...t.ort, ...common }, "peak-ort");
    const torchR = await this.run({ kind: "torch-matmul", ...t.torch, ...common }, "peak-torch");
    return { loop, ort: ortR, torch: torchR };
  }

  async compile(
    spec: string,
    model: string,
    out: string,
    keep: boolean,
    tag: string,
    emit?: string,
  ): Promise<CompileRow> {
    const r = await this.run({ kind: "compile", spec, model, out, keep, ...(emit ? { emit } : {}) }, tag);
    return { spec: relativeToRoot(spec), model, ...r };
  }

  async recipe(ref: RecipeRef): Promise<RecipeResults> {
    const o = this.opts;
    let recipe: Recipe;
    try {
      recipe = quickVariant(loadRecipe(ref.label, join(ROOT, ref.file)), o.batchOverride, this.work);
    } catch (e) {
      if (e instanceof RecipeError) return { label: ref.label, spec: ref.file, error: e.message };
      throw e;
    }
    const { ir } = recipe;
    this.log(`${ref.label}: ${ir.name}, batch ${ir.train.batch}`);
    const dir = join(this.work, ref.label);
    const res: RecipeResults = { label: ref.label, spec: ref.file, recipe };
    res.compile = await this.compile(
      recipe.file,
      ir.name,
      dir,
      true,
      `${ref.label}-compile`,
      "infer,train,steps",
    );
    const compiled = res.compile.ok;
    const torch = typeof recipe.torch === "string" ? undefined : recipe.torch;
    if (typeof recipe.torch === "string") res.torchUnsupported = recipe.torch;
    const tt = this.timing(true);
    const ti = this.timing(false);
    if (o.parts.has("train")) {
      res.train = {
        vfmc: compiled
          ? await this.run(
              { kind: "ort-train", ...tt.ort, dir, model: ir.name, stepsPerCall: o.stepsPerCall },
              `${ref.label}-train-vfmc`,
            )
          : skipped("compile failed"),
        torch: torch
          ? await this.run({ kind: "torch-train", ...tt.torch, recipe: torch }, `${ref.label}-train-torch`)
          : skipped(res.torchUnsupported ?? ""),
      };
    }
    if (o.parts.has("infer")) {
      const R = ir.export.resolution;
      const shape = [ir.train.batch, ir.input.channels, R, R];
      const input = compiled ? inferInput(dir, ir.name) : "pixel_values";
      const exported = join(dir, `${ir.name}.torch-export.onnx`);
      const exp = torch
        ? await this.run(
            {
              kind: "torch-export",
              recipe: torch,
              batch: ir.train.batch,
              out: exported,
              opset: 17,
              threads: o.threads,
              device: "cpu",
            },
            `${ref.label}-torch-export`,
          )
        : skipped(res.torchUnsupported ?? "");
      // vfmc's graph and the exported one alternate run by run in one process (ort-infer `against`): their
      // ratio is the graph-quality comparison, and a noisy machine must not decide it
      const pair = compiled
        ? await this.run(
            {
              kind: "ort-infer",
              ...ti.ort,
              onnx: join(dir, `${ir.name}.infer.onnx`),
              input,
              shape,
              ...(exp.ok ? { against: { onnx: exported, input: "pixel_values" } } : {}),
            },
            `${ref.label}-infer-vfmc-vs-exported`,
          )
        : skipped("compile failed");
      res.infer = {
        batch: ir.train.batch,
        vfmc: pair,
        torch: torch
          ? await this.run(
              { kind: "torch-infer", ...ti.torch, recipe: torch, batch: ir.train.batch },
              `${ref.label}-infer-torch`,
            )
          : skipped(res.torchUnsupported ?? ""),
        exported: !exp.ok ? exp : pair.ok ? againstOf(pair, ir.train.batch) : skipped("compile failed"),
      };
    }
    if (o.parts.has("profile") && compiled) {
      const profileDir = join(dir, "profile");
      mkdirSync(profileDir, { recursive: true });
      const p = await this.run(profileJob(tt.ort, dir, ir.name, profileDir), `${ref.label}-profile`);
      res.profile = p.ok ? (p.extra?.["profile"] as RecipeResults["profile"]) : undefined;
      if (!p.ok) res.profileError = p.error;
    }
    return res;
  }

  /** Every model of every spec in specs/, each compiled in a fresh process and then deleted. */
  async specCompiles(): Promise<CompileRow[]> {
    const rows: CompileRow[] = [];
    const specs = readdirSync(join(ROOT, "specs"))
      .filter((f) => f.endsWith(".vfm"))
      .sort();
    for (const f of specs) {
      const file = join(ROOT, "specs", f);
      for (const m of checkSpec(file).models) {
        rows.push(
          await this.compile(file, m.name, join(this.work, "specs", m.name), false, `compile-${m.name}`),
        );
      }
    }
    return rows;
  }
}

/**
 * Two profiled training steps after a warm-up one, on the plain step graph (the profile then names the step's own
 * nodes, not the Loop's).
 */
export function profileJob(
  timing: { device: Device; threads: number; spin: boolean },
  dir: string,
  model: string,
  profileDir: string,
): JobRequest {
  return { kind: "ort-train", ...timing, warmup: 1, iters: 2, dir, model, profileDir, stepsPerCall: 0 };
}

/** The inference graph's pixel input, as its manifest names it. */
function inferInput(dir: string, model: string): string {
  const m = JSON.parse(readFileSync(join(dir, `${model}.manifest.json`), "utf8")) as Manifest;
  return m.graphs.find((g) => g.kind === "infer")?.inputs[0]?.name ?? "pixel_values";
}

function skipped(why: string): Measured {
  return { ok: false, error: `skipped: ${why}` };
}

function measured(r: ChildResult, wallSeconds: number): Measured {
  return {
    ok: true,
    wallSeconds,
    ...(r.samples.length > 0
      ? { rate: rateOf(r.samples, r.itemsPerIter), seconds: summarise(r.samples) }
      : {}),
    ...(r.memory ? { memory: r.memory } : {}),
    ...(r.extra ? { extra: r.extra } : {}),
    ...(r.env ? { env: r.env } : {}),
  };
}

/** The second graph of an alternating ort-infer job, as a measurement of its own. */
function againstOf(pair: Extract<Measured, { ok: true }>, batch: number): Measured {
  const samples = pair.extra?.["against"] as number[] | undefined;
  if (!samples?.length)
    return { ok: false, error: "the alternating run returned no samples for the exported graph" };
  return {
    ok: true,
    wallSeconds: pair.wallSeconds,
    rate: rateOf(samples, batch),
    seconds: summarise(samples),
  };
}

function relativeToRoot(p: string): string {
  return p.startsWith(ROOT + "/") ? p.slice(ROOT.length + 1) : p;
}

/** --quick / --batch: the same recipe at another batch, written as a one-line `extends` of it. */
export function quickVariant(r: Recipe, batch: number | undefined, work: string): Recipe {
  if (batch === undefined || batch === r.ir.train.batch) return r;
  const file = join(work, `${basename(r.file, ".vfm")}-b${batch}.vfm`);
  const name = `${r.ir.name}_b${batch}`;
  writeFileSync(
    file,
    `// ${r.label} at batch ${batch} (npm run bench -- --quick / --batch)\nimport "${r.file}"\nmodel ${name} extends ${r.ir.name} { train { batch ${batch} } }\n`,
  );
  return loadRecipe(r.label, file, name);
}

/** A GPU run needs both peers on the GPU; say which one is missing instead of benchmarking CPU against GPU. */
async function deviceProblem(device: Device): Promise<string | undefined> {
  if (device === "cpu") return undefined;
  try {
    checkDevice(device);
    // the WebGPU provider is always listed; whether an adapter exists shows only when a session starts
    const s = await createSession(encodeModel(matmulLoopModel(4, 1)), { device, threads: 1 });
    await s.release();
  } catch (e) {
    const d = (e as { diagnostics?: { message: string; hint?: string }[] }).diagnostics?.[0];
    return `onnxruntime-node: ${d ? d.message + (d.hint ? `\n  hint: ${d.hint}` : "") : (e as Error).message}`;
  }
  const probe = spawnSync(
    PYTHON,
    ["-c", "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 3)"],
    { encoding: "utf8" },
  );
  if (probe.error) return `PyTorch peer: cannot run ${PYTHON} (${probe.error.message})`;
  if (probe.status === 3)
    return `PyTorch peer: torch.cuda.is_available() is False under ${PYTHON} — no CUDA device or a CPU-only torch build`;
  if (probe.status !== 0)
    return `PyTorch peer: ${PYTHON} cannot import torch (${probe.stderr.trim().split("\n").pop()})`;
  return undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  const print = (s: string) => process.stdout.write(s.endsWith("\n") ? s : s + "\n");
  const log = (s: string) => process.stderr.write(s + "\n");
  let opts: BenchOptions | undefined;
  try {
    opts = parseOptions(argv, print);
  } catch (e) {
    if (e instanceof UsageError) {
      log(`error: ${e.message}\n(run \`npm run bench -- --help\` for the options)`);
      return 2;
    }
    throw e;
  }
  if (!opts) return 0;
  const problem = await deviceProblem(opts.device);
  if (problem) {
    log(
      `error: --device ${opts.device} is not available on this machine.\n${problem}\n(npm run bench without --device compares on the CPU)`,
    );
    return 2;
  }
  const work = opts.keep ? resolve(opts.keep) : mkdtempSync(join(tmpdir(), "vfmc-bench-"));
  mkdirSync(join(work, "results"), { recursive: true });
  const bench = new Bench(opts, work, log);
  const started = new Date();
  const load0 = loadavg()[0]!;
  const results: BenchResults = {
    meta: {
      started: started.toISOString(),
      device: opts.device,
      threads: opts.threads,
      spin: opts.spin,
      quick: opts.quick,
      cpu: cpus()[0]?.model ?? "?",
      cores: cpus().length,
      node: process.version,
      onnxruntime: ort.env.versions?.common ?? "?",
      python: PYTHON,
      loadAtStart: load0,
    },
    recipes: [],
    compile: [],
  };
  try {
    if (opts.parts.has("peak")) results.peak = await bench.peak();
    // the recipes are compiled for every part that runs a graph; the data part alone needs none
    const graphs = ["train", "infer", "profile", "compile"].some((p) => opts.parts.has(p as Part));
    if (graphs) for (const r of opts.recipes) results.recipes.push(await bench.recipe(r));
    if (opts.parts.has("data")) results.data = await benchData(ROOT, opts, (j, t) => bench.run(j, t), log);
    if (opts.parts.has("compile") && !opts.quick) results.compile = await bench.specCompiles();
    results.meta.loadAtEnd = loadavg()[0]!;
    results.meta.seconds = (Date.now() - started.getTime()) / 1000;
    printReport(results, print);
    if (opts.json) {
      writeFileSync(opts.json, JSON.stringify(results, (k, v) => (k === "recipe" ? undefined : v), 2) + "\n");
      log(`results written to ${opts.json}`);
    }
  } finally {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
  }
  return anyFailed(results) ? 1 : 0;
}
