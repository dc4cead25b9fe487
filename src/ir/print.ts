// The canonical text of a model IR: every resolved field in IR order, one per line, indented by section; used for
// golden files (specs/baselines/*/*.ir.txt) and `vfmc info --ir`. Spans are left out (they move with comments).
import type { ModelIR, Schedule } from "./model.js";

function isSchedule(v: object): v is Schedule {
  return "shape" in v && "overSteps" in v;
}

/** Numbers as a person writes them: 1e-5 rather than 0.00001. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) || Math.abs(n) >= 1e-3 ? String(n) : n.toExponential();
}

function inline(v: unknown): string | undefined {
  if (v === null) return "none";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    const items = v.map(inline);
    return items.every((x) => x !== undefined) ? `[${items.join(", ")}]` : undefined;
  }
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("lo" in o && "hi" in o && Object.keys(o).length === 2)
      return `${formatNumber(o.lo as number)} .. ${formatNumber(o.hi as number)}`;
    if (isSchedule(o)) {
      const warm = o.warmupSteps > 0 ? ` warmup ${o.warmupSteps} steps` : "";
      return `${o.shape} ${formatNumber(o.from)} -> ${formatNumber(o.to)}${warm} over ${o.overSteps} steps`;
    }
    const entries = Object.entries(o);
    if (entries.length <= 4 && entries.every(([, x]) => typeof x !== "object" || x === null)) {
      return `{ ${entries.map(([k, x]) => `${k} ${inline(x)}`).join(", ")} }`;
    }
  }
  return undefined;
}

function block(o: Record<string, unknown>, indent: string, out: string[]): void {
  for (const [k, v] of Object.entries(o)) {
    const text = inline(v);
    if (text !== undefined) out.push(`${indent}${k} ${text}`);
    else {
      out.push(`${indent}${k}`);
      block(v as Record<string, unknown>, indent + "  ", out);
    }
  }
}

export function printModel(m: ModelIR): string {
  const { spans: _spans, name, file, chain, ...sections } = m;
  const out = [`model ${name}`, `  file ${file.replace(/\\/g, "/")}`, `  chain ${chain.join(" < ")}`];
  block(sections as Record<string, unknown>, "  ", out);
  return out.join("\n") + "\n";
}
