// The middle step of AST → IR: every written key, converted to a plain value of its schema kind and keyed by
// its dotted path, with its span. Unwritten keys are answered from the schema defaults, so the IR builder
// reads `values.get("backbone.dim")` without knowing whether the spec or the schema supplied it.
import type { Span } from "../diagnostics/diagnostic.js";
import { keyAt } from "../lang/schema/index.js";
import { isSameAs, type DefaultValue, type ScheduleDefault } from "../lang/schema/types.js";
import { InternalError } from "../diagnostics/diagnostic.js";

export type ScheduleSpec = ScheduleDefault;
export type PerCropSpec = readonly [number, number, number];

export type SpecValue =
  | number
  | boolean
  | string
  | readonly (number | string)[]
  | { readonly lo: number; readonly hi: number }
  | ScheduleSpec;

export class SpecValues {
  /** written values by path */
  readonly written = new Map<string, SpecValue>();
  /** spans of written values, list items ("x[1]"), range bounds ("x.lo"), schedule parts ("x.over") and sections */
  readonly spans = new Map<string, Span>();
  /** paths written with a rejected value (or misspelt as a near key): not reported again as missing */
  readonly invalid = new Set<string>();
  /** the variant in effect for sections that have variants ("masking" → "cyclic") */
  readonly variants = new Map<string, string>();

  has(path: string): boolean {
    return this.written.has(path);
  }

  get(path: string): SpecValue {
    const v = this.written.get(path);
    if (v !== undefined) return v;
    const d: DefaultValue | undefined = keyAt(path)?.default;
    if (d === undefined) throw new InternalError(`no value and no default for ${path}`);
    return isSameAs(d) ? this.get(d.sameAs) : (d as SpecValue);
  }

  num(path: string): number {
    const v = this.get(path);
    if (typeof v !== "number") throw new InternalError(`${path} is not a number`);
    return v;
  }

  bool(path: string): boolean {
    const v = this.get(path);
    if (typeof v !== "boolean") throw new InternalError(`${path} is not a bool`);
    return v;
  }

  name<T extends string>(path: string): T {
    const v = this.get(path);
    if (typeof v !== "string") throw new InternalError(`${path} is not a name`);
    return v as T;
  }

  numbers(path: string): readonly number[] {
    const v = this.get(path);
    if (!Array.isArray(v)) throw new InternalError(`${path} is not a list`);
    return v as readonly number[];
  }

  names<T extends string>(path: string): readonly T[] {
    return this.get(path) as unknown as readonly T[];
  }

  range(path: string): { lo: number; hi: number } {
    const v = this.get(path);
    if (typeof v !== "object" || v === null || !("lo" in v))
      throw new InternalError(`${path} is not a range`);
    return v;
  }

  schedule(path: string): ScheduleSpec {
    const v = this.get(path);
    if (typeof v === "number") return { shape: "constant", from: v, to: v };
    if (typeof v !== "object" || v === null || !("shape" in v))
      throw new InternalError(`${path} is not a schedule`);
    return v;
  }

  /** a probability per crop kind; a single number applies to all three */
  perCrop(path: string): PerCropSpec {
    const v = this.get(path);
    if (typeof v === "number") return [v, v, v];
    const [a, b, c] = v as readonly number[];
    if (a === undefined || b === undefined || c === undefined)
      throw new InternalError(`${path} is not per-crop`);
    return [a, b, c];
  }

  variant(path: string): string {
    const v = this.variants.get(path) ?? keyAt(path)?.section?.defaultVariant;
    if (v === undefined) throw new InternalError(`${path} has no variant`);
    return v;
  }
}
