// Values and schema facts as a .vfm author writes them, for hovers and completion details: `0.04 -> 0.07 over 30
// epochs`, `0.32 .. 1`, `int ≥ 1, px`. Resolved values come from the compiler's own AST→values step (readModel on
// the model's merged `extends` body), so a hover shows what vfmc will use, defaults included.
import { DiagnosticBag } from "../diagnostics/diagnostic.js";
import type { KeySpec } from "../lang/schema/types.js";
import { isSameAs, type DefaultValue } from "../lang/schema/types.js";
import { readModel } from "../ir/from-ast.js";
import { formatNumber } from "../ir/print.js";
import type { SpecValue, SpecValues } from "../ir/spec-values.js";
import type { Analysis } from "./workspace.js";

export function valueText(v: SpecValue | DefaultValue): string {
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((x: number | string) => valueText(x)).join(", ")}]`;
  if (isSameAs(v as DefaultValue)) return `same as ${(v as { sameAs: string }).sameAs}`;
  if ("lo" in v) return `${formatNumber(v.lo)} .. ${formatNumber(v.hi)}`;
  if ("shape" in v) {
    const over = v.over ? ` over ${v.over.amount} ${v.over.unit}` : "";
    const warmup = v.warmup ? ` warmup ${v.warmup.amount} ${v.warmup.unit}` : "";
    return `${v.shape === "linear" ? "" : `${v.shape} `}${formatNumber(v.from)} -> ${formatNumber(v.to)}${over}${warmup}`;
  }
  return JSON.stringify(v);
}

/** `int ≥ 1, px` — the key's kind with its bounds and unit. */
export function kindText(k: KeySpec): string {
  const bounds: string[] = [];
  if (k.min !== undefined) bounds.push(`${k.minExclusive ? ">" : "≥"} ${formatNumber(k.min)}`);
  if (k.max !== undefined) bounds.push(`≤ ${formatNumber(k.max)}`);
  const kind =
    k.kind === "per_crop"
      ? "probability per crop"
      : k.kind === "list" && k.items === "name"
        ? "list of names"
        : k.kind;
  return [kind + (bounds.length ? ` ${bounds.join(", ")}` : ""), k.unit].filter(Boolean).join(", ");
}

const resolvedCache = new WeakMap<Analysis, Map<string, SpecValues | undefined>>();

/** The model's values after `extends` (undefined when its chain does not resolve), diagnostics discarded. */
export function resolvedValues(a: Analysis, model: string): SpecValues | undefined {
  let perModel = resolvedCache.get(a);
  if (!perModel) resolvedCache.set(a, (perModel = new Map()));
  if (!perModel.has(model)) {
    const resolved = a.program().models.find((m) => m.name === model && m.file === a.file);
    perModel.set(model, resolved ? readModel(resolved, new DiagnosticBag()) : undefined);
  }
  return perModel.get(model);
}

/** The value vfmc uses at a path: written (in the model or a parent) or the schema default; undefined if neither. */
export function valueAt(values: SpecValues, path: string): SpecValue | undefined {
  try {
    return values.get(path);
  } catch {
    return undefined; // required and not written: the checker reports it
  }
}
