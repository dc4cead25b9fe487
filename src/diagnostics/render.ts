// Text and JSON renderings of diagnostics. Text: `file:line:col: error VFMnnnn: message`, `  hint: …`,
// then the source line with carets under the span when the source is at hand.
import type { Diagnostic } from "./diagnostic.js";

export type SourceLookup = (file: string) => string | undefined;

/** Source lines longer than this are shown as a window of this many characters, starting SOURCE_LEAD before the span. */
const SOURCE_WINDOW = 120;
const SOURCE_LEAD = 40;

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
      // a long line (minified or garbage input) is shown as a window around the span, as compilers do
      const from = src.length > SOURCE_WINDOW ? Math.max(0, d.span.start.col - 1 - SOURCE_LEAD) : 0;
      const to = Math.min(src.length, from + SOURCE_WINDOW);
      const before = from > 0 ? "…" : "";
      lines.push(`  ${before}${src.slice(from, to)}${to < src.length ? "…" : ""}`);
      const col = d.span.start.col - 1 - from + before.length;
      lines.push(
        `  ${" ".repeat(col)}${"^".repeat(Math.max(1, Math.min(width, to - from - col + before.length)))}`,
      );
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
