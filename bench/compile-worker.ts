// Compile-time measurement: runs `vfmc compile <spec> --model <m> -o <out> --json` through the CLI's own entry
// (src/cli/main.ts, in this process) and reports wall time, the per-graph lowering/writing times the command
// prints, and the process's peak RSS. The written graphs are deleted afterwards unless the job keeps them (the
// benchmark recipes' graphs are measured next).
import { rmSync } from "node:fs";
import { main } from "../src/cli/main.js";
import type { CompileJob } from "./jobs.js";
import { peakRssBytes, rssBytes } from "./proc-memory.js";
import { writeResult } from "./result-file.js";

const job = JSON.parse(process.argv[2] ?? "{}") as CompileJob;
const out: string[] = [];
const err: string[] = [];
const baselineRss = rssBytes();
const t0 = performance.now();
const args = ["compile", job.spec, "--model", job.model, "-o", job.out, "--json"];
const code = await main(job.emit ? [...args, "--emit", job.emit] : args, {
  out: (t) => out.push(t),
  err: (t) => err.push(t),
});
const seconds = (performance.now() - t0) / 1000;
const peakRss = peakRssBytes();
if (!job.keep) rmSync(job.out, { recursive: true, force: true });
if (code !== 0) {
  process.stderr.write([...err, ...out].join("\n") + "\n");
  process.exitCode = code;
} else {
  const report = JSON.parse(out.join("\n")) as { models: { graphs: unknown[] }[] };
  writeResult(job.result, {
    samples: [seconds],
    itemsPerIter: 0,
    memory: { baselineRss, peakRss, peakResettable: false },
    extra: { graphs: report.models[0]?.graphs ?? [] },
  });
}
