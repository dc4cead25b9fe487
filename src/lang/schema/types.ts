// The shape of a schema table. One table per spec section; each key says its kind, bounds, default, unit and
// doc once, and everything else — AST→IR conversion, unknown-key hints, bound checks, docs/language.md, hover —
// reads it from here (one place per spec key).

export type KeyKind =
  "int" | "number" | "bool" | "enum" | "range" | "list" | "schedule" | "per_crop" | "section";

/** A schedule default as a spec would write it; `over` absent = the whole training run. */
export interface ScheduleDefault {
  readonly shape: "linear" | "cosine" | "constant";
  readonly from: number;
  readonly to: number;
  readonly over?: { readonly amount: number; readonly unit: "epochs" | "steps" };
  readonly warmup?: { readonly amount: number; readonly unit: "epochs" | "steps" };
}

export type DefaultValue =
  | number
  | boolean
  | string
  | readonly (number | string)[]
  | { readonly lo: number; readonly hi: number }
  | ScheduleDefault
  /** the value of another key, e.g. the iBOT loss temperatures default to the DINO loss's */
  | { readonly sameAs: string };

export interface KeySpec {
  readonly key: string;
  readonly kind: KeyKind;
  readonly doc: string;
  readonly default?: DefaultValue;
  /** how a spec writes this key, for hints (`depth 12`); needed when there is no default to show */
  readonly example?: string;
  /** a model must write it (after extends) */
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** min is exclusive (e.g. temperatures must be > 0) */
  readonly minExclusive?: boolean;
  readonly unit?: string;
  /** enum values, or the allowed identifiers of a list of names */
  readonly values?: readonly string[];
  /** list items: numbers or names from `values` */
  readonly items?: "number" | "name";
  /** exact list length; "channels" = input.channels */
  readonly length?: number | "channels";
  /** a range key that also takes one number x, meaning the range x .. x */
  readonly single?: boolean;
  readonly section?: SectionSpec;
}

export interface VariantSpec {
  readonly name: string;
  readonly doc: string;
  /** the keys this variant accepts (all others are rejected if written, dropped if inherited) */
  readonly keys: readonly string[];
}

export interface SectionSpec {
  readonly name: string;
  readonly doc: string;
  readonly keys: readonly KeySpec[];
  /** sections written `name variant { … }` */
  readonly variants?: readonly VariantSpec[];
  readonly defaultVariant?: string;
}

export function isSameAs(d: DefaultValue | undefined): d is { readonly sameAs: string } {
  return typeof d === "object" && d !== null && "sameAs" in d;
}
