// `vfmc report DIR -o page.html`: a training run's metrics.jsonl as a self-contained HTML page of curves.
import type { Command } from "commander";
import { checkOutputPath, writeOutput } from "../../files/output.js";
import { reportHtml } from "../../runtime/report/html.js";
import { readRunMetrics } from "../../runtime/report/metrics.js";
import { guarded, guardOptions, type Io } from "../io.js";
import type { RegisterCommand } from "./index.js";
import { badOption } from "../options.js";

interface ReportCliOptions {
  out?: string;
  title?: string;
  json?: boolean;
}

async function runReport(dir: string, opts: ReportCliOptions, io: Io): Promise<number> {
  if (!opts.out) throw badOption("report", "-o/--out is required: the HTML file to write");
  const m = readRunMetrics(dir);
  checkOutputPath(opts.out);
  await writeOutput(opts.out, reportHtml(m, opts.title));
  const names = [...m.series.keys()];
  if (opts.json)
    io.out(
      JSON.stringify(
        { metrics: m.file, steps: m.lines, lastStep: m.lastStep, series: names, out: opts.out },
        null,
        2,
      ),
    );
  else
    io.out(
      `wrote ${opts.out}: ${names.length} metrics over ${m.lines} steps (last step ${m.lastStep})${m.skipped ? `, ${m.skipped} partial line skipped` : ""}`,
    );
  return 0;
}

export const registerReport: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("report")
    .description(
      "turn a training run's metrics.jsonl into a self-contained HTML page of loss, k-NN and lr curves",
    )
    .argument("<dir>", "a `vfmc run --train` output folder (or its metrics.jsonl)")
    .option("-o, --out <file>", "HTML file to write")
    .option("--title <text>", "page title (default: the run's model name)")
    .option("--json", "print a JSON summary")
    .addHelpText(
      "after",
      "\nCharts: losses, k-NN accuracy (when the run evaluated), learning rate, other schedules, gradient norms,\n" +
        "step time. Inline SVG and CSS only — no scripts, no network. run.json beside the metrics fills the summary.\n" +
        "Example:\n" +
        "  vfmc run --train examples/franca-tiny.vfm -o runs/tiny && vfmc report runs/tiny -o runs/tiny/report.html\n",
    )
    .action(async (dir: string, opts: ReportCliOptions) => {
      result.code = await guarded(io, guardOptions(program, opts), () => runReport(dir, opts, io));
    });
};
