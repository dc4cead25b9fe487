// A run's metrics as one self-contained HTML page: a summary table (run.json, last values) and line charts
// grouped by what they measure — losses (with the value uniform predictions give), k-NN accuracy (with the raw-pixel
// baseline), the training-dynamics monitors (entropies, prototypes in use, gradient shares, feature spread), learning
// rate, other schedules, gradient norms, step time.
// Inline SVG and CSS only: the file can be mailed, archived or opened offline.
import type { RunMetrics, Series } from "./metrics.js";
import { escapeXml, lineChart } from "./svg-chart.js";

interface Group {
  readonly title: string;
  readonly yLabel: string;
  readonly test: (name: string) => boolean;
  /** shown when the run has none of these series */
  readonly missing?: string;
}

/** Chart groups in page order; a series goes to the first group that claims it. */
export const GROUPS: readonly Group[] = [
  { title: "Losses", yLabel: "loss", test: (n) => /^loss/.test(n) || /(^|\.)loss/.test(n) },
  {
    title: "k-NN accuracy",
    yLabel: "accuracy",
    test: (n) => /knn/i.test(n),
    missing: "no k-NN evaluations in this run's metrics (vfmc run --train --eval-every N adds them)",
  },
  {
    title: "Teacher targets and student predictions",
    yLabel: "entropy (nats)",
    test: (n) => /_entropy(\.\d+)?$/.test(n),
  },
  { title: "Prototypes the teacher uses", yLabel: "prototypes", test: (n) => /_prototypes(\.\d+)?$/.test(n) },
  { title: "Share of the gradient by loss term", yLabel: "share", test: (n) => /^grad_share\./.test(n) },
  { title: "CLS spread over the batch (0 = collapse)", yLabel: "std × √D", test: (n) => /_cls_std$/.test(n) },
  { title: "Learning rate", yLabel: "lr", test: (n) => /(^|_)lr(_|$)/.test(n) && !/factor/.test(n) },
  {
    title: "Schedules",
    yLabel: "value",
    test: (n) => /^(wd|momentum|.*teacher_temp|last_layer_lr_factor)$/.test(n),
  },
  { title: "Gradient norms", yLabel: "norm", test: (n) => /^grad_norm/.test(n) },
  { title: "Step time", yLabel: "ms", test: (n) => /_ms$/.test(n) },
];

export function groupSeries(series: Iterable<Series>): Map<Group | "other", Series[]> {
  const out = new Map<Group | "other", Series[]>();
  for (const s of series) {
    const g = GROUPS.find((x) => x.test(s.name)) ?? "other";
    out.set(g, [...(out.get(g) ?? []), s]);
  }
  return out;
}

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : Number(v.toPrecision(5)).toString();
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function reportHtml(m: RunMetrics, title?: string): string {
  const name = title ?? (typeof m.run?.model === "string" ? `${m.run.model} — training run` : "training run");
  // baselines drawn as dashed lines: the raw-pixel k-NN (a point at step 0), the losses' uniform values (run.json)
  const isBaseline = (s: Series): boolean => /^knn_pixels\./.test(s.name);
  const baselines = [...m.series.values()].filter(isBaseline);
  const groups = groupSeries([...m.series.values()].filter((s) => !isBaseline(s)));
  const uniform = (m.run?.uniform ?? {}) as Record<string, number>;
  const references = (list: readonly Series[]) => [
    ...list.flatMap((s) =>
      typeof uniform[s.name] === "number" ? [{ label: `${s.name} uniform`, value: uniform[s.name]! }] : [],
    ),
    ...baselines
      .filter((b) => list.some((s) => s.name === b.name.replace(/^knn_pixels\./, "knn.")))
      .map((b) => ({ label: `raw pixels ${b.name.slice("knn_pixels.".length)}`, value: b.values[0]! })),
  ];
  const charts: string[] = [];
  for (const g of [...GROUPS, "other" as const]) {
    const list = groups.get(g);
    const title = g === "other" ? "Other metrics" : g.title;
    if (list?.length)
      charts.push(
        `<section>${lineChart(list, {
          title,
          yLabel: g === "other" ? "value" : g.yLabel,
          references: references(list),
        })}</section>`,
      );
    else if (g !== "other" && g.missing)
      charts.push(
        `<section class="missing"><h2>${escapeXml(title)}</h2><p>${escapeXml(g.missing)}</p></section>`,
      );
  }
  const rows: [string, unknown][] = [
    ...Object.entries(m.run ?? {}),
    ["metrics", m.file],
    ["steps logged", m.lines],
    ["last step", m.lastStep],
    ...(m.skipped ? ([["partial lines skipped", m.skipped]] as [string, unknown][]) : []),
  ];
  const last = [...m.series.values()]
    .filter((s) => GROUPS[0]!.test(s.name) || GROUPS[1]!.test(s.name))
    .map((s) => [`last ${s.name}`, s.values[s.values.length - 1]] as [string, unknown]);
  const table = [...rows, ...last]
    .map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(fmt(v))}</td></tr>`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(name)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; }
table { border-collapse: collapse; margin-bottom: 16px; font-size: 13px; }
th, td { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; }
th { color: #555; font-weight: 500; }
section { margin: 8px 0 16px; }
.missing h2 { font-size: 14px; margin: 0; }
.missing p { color: #777; font-size: 13px; }
</style>
</head>
<body>
<h1>${escapeXml(name)}</h1>
<table>
${table}
</table>
${charts.join("\n")}
<p style="color:#999;font-size:11px">made by vfmc report</p>
</body>
</html>
`;
}
