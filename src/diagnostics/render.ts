// Text and JSON renderings of diagnostics. Text: `file:line:col: error VFMnnnn: message`, `  hint: …`,
// then the source line with carets under the span when the source is at hand.
import type { Diagnostic } from "./diagnostic.js";

export type SourceLookup = (file: string) => string | undefined;

export function renderText(d: Diagnostic, sources?: SourceLookup): string {
  const where = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.col}: ` : "";
  const lines = [`${where}${d.severity} ${d.code}: ${d.message}`];
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  const text = d.span && sources ? sources(d.span.file) : undefined;
  if (d.span && text !== undefined) {
    const src = text.split(/\r?\n/)[d.span.start.line - 1];
    if (src !== undefined) {
      const width =
        d.span.end.line === d.span.start.line
          ? Math.max(1, d.span.end.col - d.span.start.col)
          : src.length - d.span.start.col + 1;
      lines.push(`  ${src}`);
      lines.push(`  ${" ".repeat(d.span.start.col - 1)}${"^".repeat(Math.max(1, width))}`);
    }
  }
  for (const r of d.related ?? []) {
    lines.push(`  ${r.span.file}:${r.span.start.line}:${r.span.start.col}: ${r.message}`);
  }
  return lines.join("\n");
}

export function renderJson(ds: readonly Diagnostic[]): string {
  return JSON.stringify(
    ds.map(({ key: _key, ...rest }) => rest),
    null,
    2,
  );
}
