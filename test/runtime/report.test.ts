// vfmc report's pieces: metrics.jsonl parsing, tick choice, the HTML page — and the page as headless Chromium
// renders it (skipped when no chromium is installed; .ci/run installs Debian's `chromium` for this test).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { decodePng, toRgb8 } from "../../src/runtime/image/png.js";
import { reportHtml } from "../../src/runtime/report/html.js";
import { parseMetrics, readRunMetrics } from "../../src/runtime/report/metrics.js";
import { PALETTE, ticks } from "../../src/runtime/report/svg-chart.js";
import { requires } from "../harness/requires.js";

function runLines(steps: number): string {
  const lines: string[] = [];
  for (let s = 1; s <= steps; s++) {
    const rec: Record<string, unknown> = {
      step: s,
      loss: 10 * Math.exp(-s / 20) + 1,
      loss_dino: 6 * Math.exp(-s / 20),
      lr: s < 10 ? (1e-3 * s) / 10 : (1e-3 * (1 + Math.cos((Math.PI * (s - 10)) / (steps - 10)))) / 2,
      wd: 0.04,
      grad_norm: 3 / s,
      step_ms: 100,
    };
    if (s % 10 === 0) rec.knn = { top1: 0.1 + s / (steps * 2), top5: 0.5 + s / (steps * 4) };
    lines.push(JSON.stringify(rec));
  }
  return lines.join("\n") + "\n";
}

function chromium(): string | undefined {
  for (const bin of ["chromium", "chromium-browser", "google-chrome"]) {
    const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return bin;
  }
  return undefined;
}

describe("metrics.jsonl", () => {
  it("collects a series per numeric field, nested objects flattened, and skips a partial last line", () => {
    const m = parseMetrics(runLines(40) + '{"step": 41, "loss": 1.', "m.jsonl");
    expect(m.lines).toBe(40);
    expect(m.skipped).toBe(1);
    expect(m.series.get("loss")!.steps).toHaveLength(40);
    expect(m.series.get("knn.top1")!.steps).toEqual([10, 20, 30, 40]);
    expect(m.series.has("step")).toBe(false);
  });

  it("refuses a malformed line in the middle and a file with no steps (VFM6302)", () => {
    for (const text of ['{"step":1,"loss":2}\nnot json\n{"step":2,"loss":1}\n', "\n"]) {
      let err: unknown;
      try {
        parseMetrics(text, "m.jsonl");
      } catch (e) {
        err = e;
      }
      expect((err as DiagnosticError).diagnostics[0]!.code).toBe("VFM6302");
    }
  });

  it("ticks are round numbers inside the range", () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(3, 147, 8)).toEqual([20, 40, 60, 80, 100, 120, 140]);
    expect(ticks(2e-4, 9e-4)).toEqual([2e-4, 4e-4, 6e-4, 8e-4]);
  });
});

describe("the HTML page", () => {
  const dir = mkdtempSync(join(tmpdir(), "vfmc-report-"));
  writeFileSync(join(dir, "metrics.jsonl"), runLines(60));
  writeFileSync(join(dir, "run.json"), JSON.stringify({ model: "tiny<test>", steps: 60 }));
  const html = reportHtml(readRunMetrics(dir));

  it("is self-contained: inline SVG charts, no scripts or external resources", () => {
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
    for (const title of [
      "Losses",
      "k-NN accuracy",
      "Learning rate",
      "Schedules",
      "Gradient norms",
      "Step time",
    ])
      expect(html).toContain(`>${title}</text>`);
    // loss, loss_dino, knn.top1, knn.top5, lr, wd, grad_norm, step_ms
    expect(html.match(/<polyline/g)).toHaveLength(8);
    expect(html).toContain("tiny&lt;test&gt; — training run");
  });

  it("charts the training-dynamics monitors, with the uniform loss and the raw-pixel k-NN as dashed lines", () => {
    const d = mkdtempSync(join(tmpdir(), "vfmc-report-"));
    const lines = [
      JSON.stringify({ step: 0, knn: { "top1@20": 0.1 } }),
      JSON.stringify({ step: 0, knn_pixels: { "top1@20": 0.38 } }),
    ];
    for (let s = 1; s <= 30; s++)
      lines.push(
        JSON.stringify({
          step: s,
          loss_dino: 14.556 - s / 10,
          "dino_target_entropy.0": 4.1 - s / 100,
          "dino_student_entropy.0": 4.15,
          "dino_prototypes.0": 60,
          dino_cls_std: 0.5,
          "grad_share.dino": 0.7,
          "grad_share.koleo": 0.3,
        }),
      );
    lines.push(JSON.stringify({ step: 30, knn: { "top1@20": 0.6 } }));
    writeFileSync(join(d, "metrics.jsonl"), lines.join("\n") + "\n");
    writeFileSync(join(d, "run.json"), JSON.stringify({ model: "m", uniform: { loss_dino: 14.556 } }));
    const page = reportHtml(readRunMetrics(d));
    for (const title of [
      "Teacher targets and student predictions",
      "Prototypes the teacher uses",
      "Share of the gradient by loss term",
      "CLS spread over the batch (0 = collapse)",
    ])
      expect(page).toContain(`>${title}</text>`);
    expect(page).toContain("loss_dino uniform 14.56");
    expect(page).toContain("raw pixels top1@20 0.38");
    expect(page.match(/stroke-dasharray/g)).toHaveLength(2);
    expect(page).not.toContain("knn_pixels.top1@20</text>"); // a baseline, not a series
  });

  requires(Boolean(chromium()), "Chromium").it(
    "renders in headless Chromium with every chart drawn",
    () => {
      const page = join(dir, "page.html");
      const shot = join(dir, "shot.png");
      writeFileSync(page, html);
      execFileSync(
        chromium()!,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--hide-scrollbars",
          "--window-size=800,2400",
          `--screenshot=${shot}`,
          `file://${page}`,
        ],
        { stdio: "ignore", timeout: 45_000 },
      );
      const img = decodePng(readFileSync(shot), shot);
      const rgb = toRgb8(img);
      const count = (hex: string): number => {
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        let n = 0;
        for (let i = 0; i < rgb.length; i += 3)
          if (Math.abs(rgb[i]! - r!) + Math.abs(rgb[i + 1]! - g!) + Math.abs(rgb[i + 2]! - b!) < 24) n++;
        return n;
      };
      // the first series colour draws 6 curves (one per chart) and the legends: hundreds of pixels; the second
      // colour (loss_dino, knn.top5) at least two curves
      expect(count(PALETTE[0]!)).toBeGreaterThan(1000);
      expect(count(PALETTE[1]!)).toBeGreaterThan(300);
      // and the page is not blank: a good share of non-white pixels
      let ink = 0;
      for (let i = 0; i < rgb.length; i += 3) if (rgb[i]! + rgb[i + 1]! + rgb[i + 2]! < 600) ink++;
      expect(ink / (img.width * img.height)).toBeGreaterThan(0.01);
    },
    60_000,
  );
});
