// vfmc diagnostics → LSP diagnostics, one to one: the span becomes the range, the code ("VFM2101") and the
// source ("vfmc") are kept, the hint follows the message, related spans become related information, and the
// diagnostic's data (e.g. the nearest valid key) rides along for quick fixes. Problems found in an imported
// file are summarised on the import that brings them in, so a broken parent is visible from the child.
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { importTarget } from "../../lang/resolve.js";
import { rangeOf, startOfFile, uriOfPath } from "../positions.js";
import type { Analysis } from "../workspace.js";

/** What a quick fix receives back in `context.diagnostics[i].data`. */
export interface FixData {
  readonly key: string;
  readonly suggestion?: string;
}

const severities = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
} as const;

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const suggestion = d.data?.["suggestion"];
  const data: FixData = { key: d.key, ...(typeof suggestion === "string" ? { suggestion } : {}) };
  return {
    range: d.span ? rangeOf(d.span) : startOfFile,
    severity: severities[d.severity],
    code: d.code,
    source: "vfmc",
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
    ...(d.related?.length
      ? {
          relatedInformation: d.related.map((r) => ({
            location: { uri: uriOfPath(r.span.file), range: rangeOf(r.span) },
            message: r.message,
          })),
        }
      : {}),
    data,
  };
}

/** The diagnostics to publish for a document: its own, then one summary per import whose files have problems. */
export function diagnosticsFor(a: Analysis): LspDiagnostic[] {
  const own: LspDiagnostic[] = [];
  const elsewhere = new Map<string, Diagnostic[]>();
  for (const d of a.diagnostics) {
    const file = d.span?.file ?? a.file;
    if (file === a.file) own.push(toLspDiagnostic(d));
    else elsewhere.set(file, [...(elsewhere.get(file) ?? []), d]);
  }
  if (elsewhere.size === 0 || a.doc.imports.length === 0) return own;
  const program = a.program();
  for (const imp of a.doc.imports) {
    const target = importTarget(a.file, imp.path);
    const reached = filesReachedFrom(target, program.files);
    const found = [...elsewhere].filter(([file]) => reached.has(file)).flatMap(([, ds]) => ds);
    for (const [file] of elsewhere) if (reached.has(file)) elsewhere.delete(file);
    if (found.length === 0) continue;
    const errors = found.filter((d) => d.severity === "error").length;
    const first = found[0]!;
    own.push({
      range: rangeOf(imp.pathSpan),
      severity: errors > 0 ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: "vfmc",
      message: `${imp.path}: ${count(errors, "error")}, ${count(found.length - errors, "warning")}; first: ${first.code} ${first.message}`,
      relatedInformation: found
        .filter((d) => d.span)
        .map((d) => ({
          location: { uri: uriOfPath(d.span!.file), range: rangeOf(d.span!) },
          message: `${d.code}: ${d.message}`,
        })),
    });
  }
  return own;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** The file and everything it imports, transitively, as the program loaded them. */
function filesReachedFrom(
  file: string,
  files: ReadonlyMap<string, { readonly imports: readonly { readonly path: string }[] }>,
): Set<string> {
  const reached = new Set<string>();
  const visit = (f: string): void => {
    if (reached.has(f)) return;
    reached.add(f);
    for (const imp of files.get(f)?.imports ?? []) visit(importTarget(f, imp.path));
  };
  visit(file);
  return reached;
}
