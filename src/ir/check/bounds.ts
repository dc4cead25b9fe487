// Bounds from the schema tables (VFM3001) and reversed ranges (VFM3002), on written values only — defaults are
// in bounds by construction (a test checks that). Runs before the IR is built: an out-of-bounds value of a key
// with a default is dropped so the default stands in and later checks do not cascade from it. Two bounds hold for
// every key whatever its table says: a number must be finite (`1e400` reads as infinity, VFM3021), and an integer
// — a size, a count, a seed — at most INT_LIMIT (`dim 99999999999999999999` is no tensor size).
import type { DiagnosticBag } from "../../diagnostics/diagnostic.js";
import { keyAt } from "../../lang/schema/index.js";
import type { KeySpec } from "../../lang/schema/types.js";
import type { SpecValue, SpecValues } from "../spec-values.js";

/** The largest integer a spec may write (2^31 − 1): tensor dimensions, counts and seeds all fit in it. */
export const INT_LIMIT = 2 ** 31 - 1;

function maxOf(spec: KeySpec): number | undefined {
  return spec.max ?? (spec.kind === "int" ? INT_LIMIT : undefined);
}

/** The bounds a message states: the table's, and the integer limit only to a value past it. */
function boundsText(spec: KeySpec, x: number): string {
  const lo = spec.min === undefined ? "" : `${spec.minExclusive ? ">" : "≥"} ${spec.min}`;
  const max = spec.max ?? (x > INT_LIMIT ? maxOf(spec) : undefined);
  const hi = max === undefined ? "" : `≤ ${max}`;
  return [lo, hi].filter(Boolean).join(" and ");
}

function inBounds(x: number, spec: KeySpec): boolean {
  if (spec.min !== undefined && (spec.minExclusive ? x <= spec.min : x < spec.min)) return false;
  const max = maxOf(spec);
  return max === undefined || x <= max;
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
    /** infinite, or an integer past INT_LIMIT: no later check can reason about it, with or without a default */
    let absurd = false;
    for (const [sub, x] of numbersOf(path, value)) {
      if (!Number.isFinite(x)) {
        bag.report("NumberNotFinite", values.spans.get(sub) ?? values.spans.get(path), [sub]);
        bad = absurd = true;
        continue;
      }
      if (spec.kind === "int" && spec.max === undefined && x > INT_LIMIT) absurd = true;
      if (inBounds(x, spec)) continue;
      const range = boundsText(spec, x);
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
    else if (absurd) {
      values.written.delete(path);
      values.invalid.add(path); // a required key: the model is not built, and not reported missing
    }
  }
}
