// A diagnostic is data: a catalogue entry, a span and the arguments that fill its template.
// Every stage reports through a DiagnosticBag; nothing user-facing is ever thrown.
import { Diag, type DiagKey, type Severity } from "./catalogue.js";

export interface Position {
  readonly offset: number; // 0-based character offset
  readonly line: number; // 1-based
  readonly col: number; // 1-based
}

export interface Span {
  readonly file: string;
  readonly start: Position;
  readonly end: Position; // exclusive
}

export interface Related {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly key: DiagKey;
  readonly code: string; // "VFM3004"
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly hint?: string;
  readonly related?: readonly Related[];
  /** what a quick fix needs, e.g. the nearest valid key */
  readonly data?: Readonly<Record<string, unknown>>;
}

export type Arg = string | number;

export function fill(template: string, args: readonly Arg[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => {
    const a = args[Number(i)];
    return a === undefined ? m : String(a);
  });
}

export function codeOf(key: DiagKey): string {
  return `VFM${String(Diag[key].code).padStart(4, "0")}`;
}

export interface ReportExtras {
  readonly hintArgs?: readonly Arg[];
  readonly related?: readonly Related[];
  readonly data?: Readonly<Record<string, unknown>>;
}

export function makeDiagnostic(
  key: DiagKey,
  span: Span | undefined,
  args: readonly Arg[] = [],
  extras: ReportExtras = {},
): Diagnostic {
  const entry = Diag[key];
  const hintTemplate: string | undefined = "hint" in entry ? entry.hint : undefined;
  return {
    key,
    code: codeOf(key),
    severity: entry.severity,
    message: fill(entry.message, args),
    ...(span ? { span } : {}),
    ...(hintTemplate ? { hint: fill(hintTemplate, extras.hintArgs ?? args) } : {}),
    ...(extras.related ? { related: extras.related } : {}),
    ...(extras.data ? { data: extras.data } : {}),
  };
}

/** Collects diagnostics from a stage; stages keep going after an error so one run reports many. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  report(
    key: DiagKey,
    span: Span | undefined,
    args: readonly Arg[] = [],
    extras: ReportExtras = {},
  ): Diagnostic {
    const d = makeDiagnostic(key, span, args, extras);
    this.items.push(d);
    return d;
  }

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

/**
 * Thrown only to carry diagnostics out of deep code (e.g. a shape error met while lowering);
 * the CLI catches it and renders the diagnostics. Never shown as a stack.
 */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
    this.name = "DiagnosticError";
  }
}

/** A vfmc bug, not a user error: the CLI prints one line, a stack only with --trace. */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InternalError";
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InternalError(message);
}
