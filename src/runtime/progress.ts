// What a training run prints while it runs: on a terminal one self-redrawing bar (step, loss, img/s, ETA); into a
// pipe or a log file plain lines every `every` steps (no control characters); checkpoints, evaluations and notes as
// their own lines in both.
import { makeDiagnostic } from "../diagnostics/diagnostic.js";
import { renderText } from "../diagnostics/render.js";
import type { KnnReport } from "./eval/run-knn.js";
import type { KnnPoint, TrainEvent } from "./trainer/job.js";

export interface ProgressOptions {
  /** redraw one line in place (stderr is a terminal) */
  readonly tty: boolean;
  /** plain mode: print every this many steps (and the last) */
  readonly every: number;
  /** print a line (newline added) */
  line(text: string): void;
  /** write without a newline (terminal mode) */
  raw(text: string): void;
  /** terminal width: a longer bar would wrap, and "\r" only rewinds the last row */
  readonly columns?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function formatKnnReport(label: string, report: KnnReport): string {
  const r = report.results
    .map((x) => `k=${x.k} top-1 ${(100 * x.top1).toFixed(1)}% top-5 ${(100 * x.top5).toFixed(1)}%`)
    .join(", ");
  return `kNN (${label}, ${report.bank} bank / ${report.queries} queries, ${report.seconds.toFixed(1)} s): ${r}`;
}

export function formatKnn(p: KnnPoint): string {
  const label =
    p.at === "random-init"
      ? "random init"
      : p.at === "initial"
        ? "initial weights"
        : p.at === "raw-pixels"
          ? "raw pixels"
          : `step ${p.at}`;
  return formatKnnReport(label, p.report);
}

function lossText(m: Readonly<Record<string, number>>): string {
  const terms = Object.keys(m)
    .filter((k) => k.startsWith("loss_"))
    .map((k) => `${k.slice(5)} ${m[k]!.toFixed(3)}`);
  return `loss ${(m.loss ?? NaN).toFixed(4)}${terms.length ? ` (${terms.join(", ")})` : ""}`;
}

const BAR = 20;

export class Progress {
  private batch = 1;
  private drawn = false;

  constructor(private readonly opts: ProgressOptions) {}

  private clear(): void {
    if (this.drawn) this.opts.raw("\r\x1b[K");
    this.drawn = false;
  }

  private println(text: string): void {
    this.clear();
    this.opts.line(text);
  }

  onEvent(e: TrainEvent): void {
    switch (e.type) {
      case "start":
        this.batch = e.batch;
        this.println(
          `training ${e.totalSteps - e.startStep} steps${e.startStep > 0 ? ` (resuming at step ${e.startStep})` : ""}, batch ${e.batch}, ` +
            `device ${e.device}, data ${e.dataMode === "workers" ? `${e.dataWorkers} worker thread${e.dataWorkers === 1 ? "" : "s"}` : "in the training thread"}`,
        );
        return;
      case "step": {
        const secPerStep = this.batch / e.imgPerSec;
        const eta = formatDuration((e.totalSteps - e.step) * secPerStep);
        const width = String(e.totalSteps).length;
        const head = `step ${String(e.step).padStart(width)}/${e.totalSteps}`;
        const skipped = e.skippedFiles ? `  ${e.skippedFiles} skipped` : "";
        const tail = `${lossText(e.metrics)}  ${e.imgPerSec.toFixed(1)} img/s${skipped}  ETA ${eta}`;
        if (this.opts.tty) {
          const done = Math.round((BAR * e.step) / e.totalSteps);
          this.clear();
          const bar = `${head} [${"#".repeat(done)}${".".repeat(BAR - done)}] ${tail}`;
          this.opts.raw(this.opts.columns ? bar.slice(0, this.opts.columns - 1) : bar);
          this.drawn = true;
        } else if (e.step % this.opts.every === 0 || e.step === e.totalSteps)
          this.opts.line(`${head}  ${tail}`);
        return;
      }
      case "checkpoint":
        if (!this.opts.tty) this.println(`checkpoint at step ${e.step}: ${e.path}`);
        return;
      case "eval":
        this.println(formatKnn(e.point));
        return;
      case "note":
        this.println(e.text);
        return;
      case "skipped": {
        // the hint (what happens, where the list is) once; later files in one line each
        const d = makeDiagnostic("DataImageSkipped", undefined, [e.source, e.reason, e.list]);
        this.println(e.total === 1 ? renderText(d) : `${d.severity} ${d.code}: ${d.message}`);
        return;
      }
    }
  }

  /** ends the redrawn line so later output starts on its own line */
  finish(): void {
    if (this.drawn) this.opts.raw("\n");
    this.drawn = false;
  }
}
