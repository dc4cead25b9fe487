// The benchmark's printed tables: vfmc and PyTorch side by side with ratios (vfmc ÷ PyTorch; above 1 means vfmc is
// faster, or for memory uses more), MFU against the matmul peak measured in the same run, parity facts, the
// profile's top ops and compile times. Everything printed is also in the JSON results.
import { printData, type DataResults } from "./data.js";
import type { MemoryResult } from "./jobs.js";
import type { ProfileSummary } from "./profile-summary.js";
import { parityNotes, type Recipe } from "./recipe.js";
import type { MatmulSize } from "./jobs.js";
import { rateOf, type Rate, type Summary } from "./stats.js";

export type Measured =
  | {
      readonly ok: true;
      readonly wallSeconds: number;
      readonly rate?: Rate;
      readonly seconds?: Summary;
      readonly memory?: MemoryResult;
      readonly extra?: Record<string, unknown>;
      readonly env?: Record<string, unknown>;
    }
  | { readonly ok: false; readonly error: string };

export interface PeakProbe {
  readonly loop: number;
  readonly ort: Measured;
  readonly torch: Measured;
}

export type CompileRow = { readonly spec: string; readonly model: string } & Measured;

export interface RecipeResults {
  readonly label: string;
  readonly spec: string;
  readonly error?: string;
  /** in memory only (the JSON writer drops it; `facts` carries what matters) */
  recipe?: Recipe;
  facts?: Record<string, unknown>;
  /** the printed ratios and MFUs as numbers (absent where a side failed) */
  summary?: Record<string, number | undefined>;
  torchUnsupported?: string;
  compile?: CompileRow;
  train?: { vfmc: Measured; torch: Measured };
  infer?: { batch: number; vfmc: Measured; torch: Measured; exported: Measured };
  profile?: ProfileSummary;
  profileError?: string;
}

export interface BenchResults {
  meta: Record<string, unknown> & { cores: number; loadAtStart: number; loadAtEnd?: number };
  peak?: PeakProbe;
  /** best median matmul FLOP/s over both probes and all sizes */
  peakFlops?: number;
  recipes: RecipeResults[];
  compile: CompileRow[];
  data?: DataResults;
}

const G = 1e9;
const MB = 1024 * 1024;

function pad(cells: readonly string[][]): string[] {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map(
    (r) =>
      "  " +
      r
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join("  ")
        .trimEnd(),
  );
}

function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return "–";
  if (x >= 100) return x.toFixed(0);
  return x.toPrecision(digits);
}

function rateCell(m: Measured | undefined): string {
  if (!m) return "–";
  if (!m.ok) return m.error.startsWith("skipped") ? "skipped" : "failed";
  if (!m.rate) return "–";
  const r = m.rate;
  return r.n > 1 ? `${num(r.perSec)} [${num(r.lo, 2)}–${num(r.hi, 2)}]` : num(r.perSec);
}

function ratio(a: Measured | undefined, b: Measured | undefined): string {
  if (!a?.ok || !b?.ok || !a.rate || !b.rate) return "–";
  return `${num(a.rate.perSec / b.rate.perSec)}×`;
}

function mb(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? "–" : `${(bytes / MB).toFixed(0)} MB`;
}

/** Best median GFLOP/s per matmul size of one probe. */
function probeRates(m: Measured): Map<string, Rate> {
  const out = new Map<string, Rate>();
  if (!m.ok) return out;
  const sizes = (m.extra?.["sizes"] ?? {}) as Record<string, MatmulSize>;
  for (const [n, s] of Object.entries(sizes)) out.set(n, rateOf(s.samples, s.flopsPerIter));
  return out;
}

export function peakFlops(p: PeakProbe | undefined): number | undefined {
  if (!p) return undefined;
  const all = [...probeRates(p.ort).values(), ...probeRates(p.torch).values()].map((r) => r.perSec);
  return all.length > 0 ? Math.max(...all) : undefined;
}

function failures(label: string, entries: [string, Measured | undefined][]): string[] {
  return entries
    .filter(([, m]) => m && !m.ok && !m.error.startsWith("skipped"))
    .map(
      ([what, m]) =>
        `  ${label} ${what} failed: ${(m as { error: string }).error.split("\n").slice(-3).join(" | ")}`,
    );
}

function printPeak(p: PeakProbe, out: (s: string) => void, peak: number | undefined): void {
  const ortR = probeRates(p.ort);
  const torchR = probeRates(p.torch);
  const sizes = [...new Set([...ortR.keys(), ...torchR.keys()])];
  const cell = (r: Rate | undefined) =>
    r ? `${num(r.perSec / G)} [${num(r.lo / G, 2)}–${num(r.hi / G, 2)}]` : "–";
  out(`\nMatmul peak — fp32 n×n products, ${p.loop} chained per timed run, GFLOP/s`);
  out(
    pad([
      ["n", "onnxruntime (MatMul in a Loop)", "torch.mm"],
      ...sizes.map((n) => [n, cell(ortR.get(n)), cell(torchR.get(n))]),
    ]).join("\n"),
  );
  for (const f of failures("peak", [
    ["onnxruntime", p.ort],
    ["torch", p.torch],
  ]))
    out(f);
  if (peak) out(`  peak used for MFU: ${num(peak / G)} GFLOP/s (best median above)`);
}

function mfu(m: Measured | undefined, flopsPerImage: number, peak: number | undefined): string {
  if (!peak || !m?.ok || !m.rate) return "–";
  return `${((100 * m.rate.perSec * flopsPerImage) / peak).toFixed(1)} %`;
}

function printTrain(rs: readonly RecipeResults[], out: (s: string) => void, peak: number | undefined): void {
  const rows = rs.filter((r) => r.train && r.recipe);
  if (rows.length === 0) return;
  out("\nTraining step — images/s, median [slowest–fastest]; ratio = vfmc ÷ PyTorch (> 1: vfmc faster)");
  const k = rows
    .map((r) => (r.train!.vfmc.ok ? r.train!.vfmc.extra?.["steps_per_call"] : undefined))
    .find(Boolean);
  if (k !== undefined)
    out(
      Number(k) > 1
        ? `vfmc runs ${String(k)} steps per onnxruntime call (the steps graph, as \`vfmc run\` does); each sample is a call ÷ ${String(k)}`
        : "vfmc runs one step per onnxruntime call (the plain train graph)",
    );
  out(
    peak
      ? "MFU = achieved matmul FLOP/s (src/ir/cost.ts: teacher fwd + 3 × student fwd) ÷ the matmul peak above"
      : "MFU needs the matmul peak (--only … without peak leaves it out)",
  );
  const table = [["recipe", "batch", "GFLOP/step", "vfmc", "PyTorch", "ratio", "MFU vfmc", "MFU PyTorch"]];
  for (const r of rows) {
    const c = r.recipe!.costs.flops.trainPerStep;
    const B = r.recipe!.ir.train.batch;
    table.push([
      r.label,
      String(B),
      num(c / G),
      rateCell(r.train!.vfmc),
      rateCell(r.train!.torch),
      ratio(r.train!.vfmc, r.train!.torch),
      mfu(r.train!.vfmc, c / B, peak),
      mfu(r.train!.torch, c / B, peak),
    ]);
  }
  out(pad(table).join("\n"));
  for (const r of rows)
    for (const f of failures(r.label, [
      ["train (vfmc)", r.train!.vfmc],
      ["train (PyTorch)", r.train!.torch],
    ]))
      out(f);

  out(
    "\nPeak RSS of one training step (the first; high-water mark reset right before it) and the resident baseline",
  );
  const mem = [["recipe", "vfmc peak", "(baseline)", "PyTorch peak", "(baseline)", "ratio"]];
  for (const r of rows) {
    const v = r.train!.vfmc.ok ? r.train!.vfmc.memory : undefined;
    const t = r.train!.torch.ok ? r.train!.torch.memory : undefined;
    const peakOf = (m: MemoryResult | undefined) => m?.peakRss ?? m?.peakDevice;
    const pv = peakOf(v);
    const pt = peakOf(t);
    mem.push([
      r.label,
      mb(pv),
      mb(v?.baselineRss),
      mb(pt),
      mb(t?.baselineRss),
      pv && pt ? `${num(pv / pt)}×` : "–",
    ]);
  }
  out(pad(mem).join("\n"));
}

function printInfer(rs: readonly RecipeResults[], out: (s: string) => void): void {
  const rows = rs.filter((r) => r.infer && r.recipe);
  if (rows.length === 0) return;
  out(
    "\nInference — images/s at the export resolution; the exported column is the same PyTorch model through",
  );
  out(
    "torch.onnx.export run in onnxruntime-node, in the same process as vfmc's graph with their runs alternating,",
  );
  out("so vfmc ÷ exported isolates vfmc's graph from the runtime and from the machine's slow spells");
  const table = [
    [
      "recipe",
      "px",
      "batch",
      "vfmc graph",
      "PyTorch eager",
      "torch export → ORT",
      "vfmc ÷ eager",
      "vfmc ÷ exported",
    ],
  ];
  for (const r of rows) {
    const i = r.infer!;
    table.push([
      r.label,
      String(r.recipe!.ir.export.resolution),
      String(i.batch),
      rateCell(i.vfmc),
      rateCell(i.torch),
      rateCell(i.exported),
      ratio(i.vfmc, i.torch),
      ratio(i.vfmc, i.exported),
    ]);
  }
  out(pad(table).join("\n"));
  for (const r of rows)
    for (const f of failures(r.label, [
      ["infer (vfmc)", r.infer!.vfmc],
      ["infer (PyTorch)", r.infer!.torch],
      ["infer (exported)", r.infer!.exported],
    ]))
      out(f);
}

function printParity(rs: readonly RecipeResults[], out: (s: string) => void, threads: number): void {
  if (!rs.some((r) => r.recipe)) return;
  out("\nParity — what both sides compute");
  for (const r of rs) {
    if (!r.recipe) continue;
    const { ir } = r.recipe;
    const B = ir.train.batch;
    const g = ir.crops.global;
    const l = ir.crops.local;
    const ex = (m: Measured | undefined) => (m?.ok ? (m.extra ?? {}) : {});
    const v = ex(r.train?.vfmc);
    const t = ex(r.train?.torch);
    const losses = ["DINO", ir.heads.ibot ? "iBOT" : "", ir.losses.koleo.weight > 0 ? "KoLeo" : ""]
      .filter(Boolean)
      .join(" + ");
    out(
      `  ${r.label} (${ir.name}, ${r.spec}): batch ${B}; global [${g.count}·${B}, ${ir.input.channels}, ${g.size}, ${g.size}], local [${l.count}·${B}, ${ir.input.channels}, ${l.size}, ${l.size}]; ${losses}; ${threads} threads each`,
    );
    if (v["upperbound"] !== undefined || t["upperbound"] !== undefined)
      out(
        `    iBOT buffer rows (upper bound) vfmc ${v["upperbound"] ?? "–"} / PyTorch ${t["upperbound"] ?? "–"}; masked patches ${v["n_masked"] ?? "–"} / ${t["n_masked"] ?? "–"} (same distribution, own draws)`,
      );
    if (v["loss_first"] !== undefined || t["loss_first"] !== undefined)
      out(
        `    loss at the first step vfmc ${num(Number(v["loss_first"]))} / PyTorch ${num(Number(t["loss_first"]))} (own random init each side; a sanity check, not a comparison)`,
      );
    for (const n of parityNotes(ir)) out(`    note: ${n}`);
    if (r.torchUnsupported) out(`    PyTorch peer skipped: ${r.torchUnsupported}`);
  }
  out(
    "  Both sides time the step alone on one fixed batch (no data loading or augmentation); pixels in [0, 1] are normalised inside the step on both.",
  );
}

function printProfile(rs: readonly RecipeResults[], out: (s: string) => void): void {
  for (const r of rs) {
    if (r.profileError)
      out(`\nonnxruntime profile of ${r.label} failed: ${r.profileError.split("\n").slice(-2).join(" | ")}`);
    const p = r.profile;
    if (!p) continue;
    out(
      `\nonnxruntime profile — ${r.label} train step (${p.runs} runs profiled after the warm-up, ${(p.nodeUs / 1000 / Math.max(1, p.runs)).toFixed(0)} ms kernel time per run): top ops`,
    );
    out(
      pad([
        ["op", "share", "ms/run", "calls/run"],
        ...p.ops.map((o) => [
          o.op,
          `${(100 * o.share).toFixed(1)} %`,
          (o.us / 1000 / Math.max(1, p.runs)).toFixed(1),
          String(Math.round(o.calls / Math.max(1, p.runs))),
        ]),
      ]).join("\n"),
    );
    out(
      "  slowest nodes: " +
        p.nodes
          .slice(0, 5)
          .map((n) => `${n.node} (${n.op}, ${(n.usPerRun / 1000).toFixed(1)} ms)`)
          .join("; "),
    );
  }
}

interface GraphReportLike {
  kind: string;
  nodes: number;
  lowerMs: number;
  writeMs: number;
}

function printCompile(rows: readonly CompileRow[], out: (s: string) => void): void {
  if (rows.length === 0) return;
  out("\nCompile time — `vfmc compile` (infer + train graphs, written to disk), one process per model");
  const table = [["spec", "model", "seconds", "peak RSS", "graphs"]];
  for (const c of rows) {
    if (!c.ok) {
      table.push([c.spec, c.model, "failed", "", c.error.split("\n").slice(-1)[0]!.slice(0, 100)]);
      continue;
    }
    const gs = ((c.extra?.["graphs"] ?? []) as GraphReportLike[])
      .map((g) => `${g.kind} ${g.nodes} nodes ${((g.lowerMs + g.writeMs) / 1000).toFixed(1)} s`)
      .join("; ");
    table.push([c.spec, c.model, num(c.seconds?.median ?? NaN), mb(c.memory?.peakRss), gs]);
  }
  out(pad(table).join("\n"));
}

export function printReport(res: BenchResults, out: (s: string) => void): void {
  const m = res.meta;
  out(
    `\nvfmc bench — device ${m["device"]}, ${m["threads"]} threads per side, pool threads ${m["spin"] ? "spin when idle (runtime defaults)" : "sleep when idle (--no-spin)"}${m["quick"] ? ", quick: small batch, few iterations" : ""}`,
  );
  out(
    `onnxruntime-node ${m["onnxruntime"]} vs torch ${torchVersion(res)} · ${m["cpu"]}, ${m.cores} cores · ${Number(m["seconds"] ?? 0).toFixed(0)} s`,
  );
  const busy = Math.max(m.loadAtStart, m.loadAtEnd ?? 0);
  if (busy > 0.5 * m.cores)
    out(
      `⚠ load average ${m.loadAtStart.toFixed(1)} at start, ${(m.loadAtEnd ?? NaN).toFixed(1)} at end on ${m.cores} cores: other processes competed for the CPU, so timings are noisy; rerun on a quiet machine before quoting them${m["spin"] ? " (or pass --no-spin: spinning OpenMP threads make PyTorch many times slower under contention)" : ""}`,
    );
  res.peakFlops = peakFlops(res.peak);
  if (res.peak) printPeak(res.peak, out, res.peakFlops);
  for (const r of res.recipes) if (r.error) out(`\n${r.label}: ${r.error}`);
  for (const r of res.recipes) if (r.recipe) r.facts = facts(r.recipe);
  for (const r of res.recipes) if (r.recipe) r.summary = summary(r, res.peakFlops);
  printTrain(res.recipes, out, res.peakFlops);
  printInfer(res.recipes, out);
  printParity(res.recipes, out, Number(m["threads"]));
  printProfile(res.recipes, out);
  printCompile([...res.recipes.flatMap((r) => (r.compile ? [r.compile] : [])), ...res.compile], out);
  if (res.data) {
    const rates = res.recipes.flatMap((r) => {
      const x = perSec(r.train?.vfmc);
      return x !== undefined ? [{ label: r.label, device: String(m["device"]), perSec: x }] : [];
    });
    printData(res.data, rates, out);
  }
}

function torchVersion(res: BenchResults): string {
  for (const r of res.recipes)
    for (const x of [r.train?.torch, r.infer?.torch])
      if (x?.ok && x.env?.["torch"]) return String(x.env["torch"]);
  if (res.peak?.torch.ok && res.peak.torch.env?.["torch"]) return String(res.peak.torch.env["torch"]);
  const d = res.data?.torch;
  if (d?.ok && d.env?.["torch"]) return `${String(d.env["torch"])}, torchvision ${String(d.env["torchvision"])}`;
  return "?";
}

function facts(r: Recipe): Record<string, unknown> {
  const { ir } = r;
  return {
    model: ir.name,
    file: r.file,
    batch: ir.train.batch,
    crops: {
      global: [ir.crops.global.count, ir.crops.global.size],
      local: [ir.crops.local.count, ir.crops.local.size],
    },
    params: r.costs.params.total,
    trainFlopsPerStep: r.costs.flops.trainPerStep,
    inferFlopsPerImage: r.costs.flops.inferPerImage,
    exportResolution: ir.export.resolution,
    notes: parityNotes(ir),
  };
}

const perSec = (m: Measured | undefined): number | undefined => (m?.ok ? m.rate?.perSec : undefined);
const div = (a: number | undefined, b: number | undefined): number | undefined =>
  a !== undefined && b !== undefined && b > 0 ? a / b : undefined;

const times = (a: number | undefined, b: number): number | undefined => (a === undefined ? undefined : a * b);

function summary(r: RecipeResults, peak: number | undefined): Record<string, number | undefined> {
  const flopsPerImage = r.recipe!.costs.flops.trainPerStep / r.recipe!.ir.train.batch;
  const peakMem = (m: Measured | undefined) =>
    m?.ok ? (m.memory?.peakRss ?? m.memory?.peakDevice) : undefined;
  return {
    trainImgPerSecVfmc: perSec(r.train?.vfmc),
    trainImgPerSecTorch: perSec(r.train?.torch),
    trainRatio: div(perSec(r.train?.vfmc), perSec(r.train?.torch)),
    mfuVfmc: div(times(perSec(r.train?.vfmc), flopsPerImage), peak),
    mfuTorch: div(times(perSec(r.train?.torch), flopsPerImage), peak),
    peakRssRatio: div(peakMem(r.train?.vfmc), peakMem(r.train?.torch)),
    inferImgPerSecVfmc: perSec(r.infer?.vfmc),
    inferImgPerSecTorch: perSec(r.infer?.torch),
    inferImgPerSecExported: perSec(r.infer?.exported),
    inferRatioEager: div(perSec(r.infer?.vfmc), perSec(r.infer?.torch)),
    inferRatioExported: div(perSec(r.infer?.vfmc), perSec(r.infer?.exported)),
  };
}

/** A measurement that ran and failed (not one skipped on purpose): the exit code says so. */
export function anyFailed(res: BenchResults): boolean {
  const failed = (m: Measured | undefined) => m !== undefined && !m.ok && !m.error.startsWith("skipped");
  const ms: (Measured | undefined)[] = [res.peak?.ort, res.peak?.torch, ...res.compile];
  for (const r of res.recipes) {
    if (r.error || r.profileError) return true;
    ms.push(r.compile, r.train?.vfmc, r.train?.torch, r.infer?.vfmc, r.infer?.torch, r.infer?.exported);
  }
  if (res.data?.error) return true;
  ms.push(res.data?.vfmc, res.data?.torch, res.data?.decodeVfmc, res.data?.decodeTorch);
  return ms.some(failed);
}
