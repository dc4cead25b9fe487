// `vfmc report`: a run folder in, one self-contained HTML file out; a folder without metrics is a diagnostic.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { vfmc } from "../harness/cli.js";
import { scratchDir } from "../harness/scratch-dir.js";

const dir = scratchDir("vfmc-report-cli-");

describe("vfmc report", () => {
  it("writes an HTML page with the run's curves", async () => {
    const run = join(dir, "run");
    mkdirSync(run);
    const lines = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        step: i + 1,
        loss: 5 / (i + 1),
        lr: (1e-3 * (i + 1)) / 30,
        "knn.top1@20": i % 10 === 9 ? i / 30 : undefined,
      }),
    );
    writeFileSync(join(run, "metrics.jsonl"), lines.join("\n") + "\n");
    writeFileSync(join(run, "run.json"), JSON.stringify({ model: "franca_tiny", steps: 30 }));
    const page = join(dir, "page.html");
    const r = await vfmc("report", run, "-o", page);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("3 metrics over 30 steps");
    const html = readFileSync(page, "utf8");
    expect(html).toContain("<title>franca_tiny — training run</title>");
    expect(html.match(/<polyline/g)).toHaveLength(3);
  });

  it("says what is wrong with a folder that holds no metrics", async () => {
    const r = await vfmc("report", dir, "-o", join(dir, "x.html"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("VFM6302");
    expect(r.err).toContain("no metrics.jsonl");
  });
});
