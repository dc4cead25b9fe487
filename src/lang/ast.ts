// The .vfm AST: plain data with spans, no chevrotain types. The grammar is generic —
// `key value? { entries }?` — so adding a spec key never touches the parser; the schema tables
// in src/lang/schema give keys their meaning.
import type { Span } from "../diagnostics/diagnostic.js";

export interface Document {
  readonly kind: "document";
  readonly file: string;
  readonly imports: readonly Import[];
  readonly models: readonly ModelDecl[];
  readonly comments: readonly Comment[];
  readonly span: Span;
}

export interface Comment {
  readonly kind: "comment";
  readonly text: string; // including the leading //
  readonly span: Span;
}

export interface Import {
  readonly kind: "import";
  readonly path: string;
  readonly pathSpan: Span;
  readonly span: Span;
}

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

export interface ModelDecl {
  readonly kind: "model";
  readonly name: Ident;
  readonly extends?: Ident;
  readonly body: Block;
  readonly span: Span;
}

export interface Block {
  readonly kind: "block";
  readonly entries: readonly Entry[];
  readonly span: Span; // from '{' to '}'
}

/** `key`, `key value`, `key { … }` or `key value { … }` — e.g. `dim 768`, `masking cyclic { … }`. */
export interface Entry {
  readonly kind: "entry";
  readonly key: Ident;
  readonly value?: Value;
  readonly block?: Block;
  readonly span: Span;
}

export type Value =
  NumberValue | StringValue | IdentValue | BoolValue | RangeValue | ListValue | ScheduleValue;

export interface NumberValue {
  readonly kind: "number";
  readonly value: number;
  readonly text: string; // as written, so the formatter keeps 5e-4 as 5e-4
  readonly span: Span;
}

export interface StringValue {
  readonly kind: "string";
  readonly value: string;
  readonly span: Span;
}

export interface IdentValue {
  readonly kind: "ident";
  readonly name: string;
  readonly span: Span;
}

export interface BoolValue {
  readonly kind: "bool";
  readonly value: boolean;
  readonly span: Span;
}

/** `0.1 .. 0.5` (inclusive both ends) */
export interface RangeValue {
  readonly kind: "range";
  readonly lo: NumberValue;
  readonly hi: NumberValue;
  readonly span: Span;
}

export interface ListValue {
  readonly kind: "list";
  readonly items: readonly Value[];
  readonly span: Span;
}

/**
 * A schedule over training: `0.04 -> 0.07 over 30 epochs`, `cosine 0.992 -> 1.0`,
 * `cosine 2e-4 -> 1e-6 warmup 80 epochs`. `shape` defaults to linear when absent.
 */
export interface ScheduleValue {
  readonly kind: "schedule";
  readonly shape?: Ident; // linear | cosine | constant
  readonly from: NumberValue;
  readonly to: NumberValue;
  readonly over?: Duration;
  readonly warmup?: Duration;
  readonly span: Span;
}

export interface Duration {
  readonly amount: NumberValue;
  readonly unit: Ident; // epochs | steps
  readonly span: Span;
}
