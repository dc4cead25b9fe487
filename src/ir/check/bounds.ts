// Bounds from the schema tables (VFM3001) and reversed ranges (VFM3002), on written values only — defaults are
// in bounds by construction (a test checks that). Runs before the IR is built: an out-of-bounds value of a key
// with a default is dropped so the default stands in and later checks do not cascade from it.
import type { DiagnosticBag } from "../../diagnostics/diagnostic.js";
import { keyAt } from "../../lang/schema/index.js";
import type { KeySpec } from "../../lang/schema/types.js";
import type { SpecValue, SpecValues } from "../spec-values.js";

function boundsText(spec: KeySpec): string {
  const lo = spec.min === undefined ? "" : `${spec.minExclusive ? ">" : "≥"} ${spec.min}`;
  const hi = spec.max === undefined ? "" : `≤ ${spec.max}`;
  return [lo, hi].filter(Boolean).join(" and ");
}

function inBounds(x: number, spec: KeySpec): boolean {
  if (spec.min !== undefined && (spec.minExclusive ? x <= spec.min : x < spec.min)) return false;
  return spec.max === undefined || x <= spec.max;
}

/** The numbers a written value holds, each with the sub-path its span is stored under. */
function numbersOf(path: string, value: SpecValue): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (Array.isArray(value))
    return value.flatMap((x, i): [string, number][] => (typeof x === "number" ? [[`${path}[${i}]`, x]] : []));
  if (typeof value === "object" && value !== null) {
    if ("lo" in value)
      return [
        [`${path}.lo`, value.lo],
        [`${path}.hi`, value.hi],
      ];
    if ("shape" in value)
      return [
        [`${path}.from`, value.from],
        [`${path}.to`, value.to],
      ];
  }
  return [];
}

export function checkBounds(values: SpecValues, bag: DiagnosticBag): void {
  for (const [path, value] of [...values.written]) {
    const spec = keyAt(path);
    if (!spec) continue;
    let bad = false;
    for (const [sub, x] of numbersOf(path, value)) {
      if (inBounds(x, spec)) continue;
      const range = boundsText(spec);
      bag.report("ValueOutOfRange", values.spans.get(sub) ?? values.spans.get(path), [
        sub,
        x,
        range,
        `${sub}: ${spec.doc}`,
      ]);
      bad = true;
    }
    if (
      spec.kind === "range" &&
      typeof value === "object" &&
      value !== null &&
      "lo" in value &&
      value.lo > value.hi
    ) {
      bag.report("EmptyRange", values.spans.get(path), [path, value.lo, value.hi]);
      bad = true;
    }
    if (bad && spec.default !== undefined) values.written.delete(path);
  }
}
