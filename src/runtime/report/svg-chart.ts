// A line chart as an inline SVG string: linear axes with round-number ticks, one polyline per series, a legend.
// No script and no external resources, so the page stays a single self-contained file.
import type { Series } from "./metrics.js";

export const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
];

export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  // integer multiples of the step, with slack for lo/step landing a rounding error above a whole number
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    out.push(Number((k * step).toPrecision(12)));
  return out;
}

function label(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : Number(v.toPrecision(4)).toString();
}

/** At most `max` points per series (every k-th, the last always kept): big runs stay light. */
function thin(s: Series, max: number): Series {
  if (s.steps.length <= max) return s;
  const k = Math.ceil(s.steps.length / max);
  const keep = s.steps.map((_, i) => i).filter((i) => i % k === 0 || i === s.steps.length - 1);
  return { name: s.name, steps: keep.map((i) => s.steps[i]!), values: keep.map((i) => s.values[i]!) };
}

export interface ChartOptions {
  readonly title: string;
  readonly yLabel?: string;
  readonly width?: number;
  readonly height?: number;
  readonly maxPoints?: number;
  /** horizontal dashed lines with a label (a loss's uniform value, the raw-pixel k-NN) */
  readonly references?: readonly { readonly label: string; readonly value: number }[];
}

export function lineChart(series: readonly Series[], opts: ChartOptions): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 260;
  const m = { left: 64, right: 16, top: 28, bottom: 40 };
  const legendH = 18 * Math.ceil(series.length / 4);
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const all = series.map((s) => thin(s, opts.maxPoints ?? 1500));
  const xs = all.flatMap((s) => s.steps);
  const refs = opts.references ?? [];
  const ys = [...all.flatMap((s) => s.values), ...refs.map((r) => r.value)];
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - (Math.abs(y0) || 1) * 0.05, y1 + (Math.abs(y1) || 1) * 0.05];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number): number => m.top + (1 - (y - y0) / (y1 - y0)) * plotH;
  const f = (v: number): string => v.toFixed(1);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + legendH}" viewBox="0 0 ${W} ${H + legendH}" role="img" aria-label="${escapeXml(opts.title)}">`,
    `<rect width="${W}" height="${H + legendH}" fill="#ffffff"/>`,
    `<text x="${m.left}" y="18" font-size="14" font-weight="600">${escapeXml(opts.title)}</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  );
  for (const t of ticks(y0, y1)) {
    const y = f(py(t));
    parts.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`,
    );
  }
  for (const t of ticks(x0, x1, 8)) {
    const x = f(px(t));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.top + plotH}" y2="${m.top + plotH + 4}" stroke="#999"/>`,
      `<text x="${x}" y="${m.top + plotH + 16}" font-size="11" text-anchor="middle">${label(t)}</text>`,
    );
  }
  parts.push(`<text x="${m.left + plotW / 2}" y="${H - 6}" font-size="11" text-anchor="middle">step</text>`);
  if (opts.yLabel)
    parts.push(
      `<text x="14" y="${m.top + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${m.top + plotH / 2})">${escapeXml(opts.yLabel)}</text>`,
    );
  refs.forEach((r) => {
    const y = f(py(r.value));
    parts.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}" stroke="#555" stroke-width="1" stroke-dasharray="5 4"/>`,
      `<text x="${m.left + plotW - 4}" y="${f(py(r.value) - 4)}" font-size="10" fill="#555" text-anchor="end">${escapeXml(`${r.label} ${label(r.value)}`)}</text>`,
    );
  });
  all.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const pts = s.steps.map((x, j) => `${f(px(x))},${f(py(s.values[j]!))}`).join(" ");
    parts.push(
      s.steps.length === 1
        ? `<circle cx="${f(px(s.steps[0]!))}" cy="${f(py(s.values[0]!))}" r="3" fill="${colour}"/>`
        : `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts}"><title>${escapeXml(s.name)}</title></polyline>`,
    );
    const lx = m.left + (i % 4) * 160;
    const ly = H + 18 * Math.floor(i / 4) + 4;
    parts.push(
      `<rect x="${lx}" y="${ly}" width="14" height="4" fill="${colour}"/>`,
      `<text x="${lx + 20}" y="${ly + 5}" font-size="11">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
