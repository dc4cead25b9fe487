// Where vfmc's coordinates meet the protocol's: spans (1-based line/col, UTF-16 columns, as JS strings count)
// become LSP ranges (0-based), and document URIs become the file paths the compiler reports in its spans.
import { fileURLToPath, pathToFileURL } from "node:url";
import * as path from "node:path";
import type { Range } from "vscode-languageserver";
import type { Span } from "../diagnostics/diagnostic.js";

export function rangeOf(span: Span): Range {
  return {
    start: { line: span.start.line - 1, character: span.start.col - 1 },
    end: { line: span.end.line - 1, character: span.end.col - 1 },
  };
}

export const startOfFile: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The compiler's name for a document: a normalized path for file: URIs, the URI itself otherwise (untitled:). */
export function pathOfUri(uri: string): string {
  return uri.startsWith("file:") ? path.normalize(fileURLToPath(uri)) : uri;
}

export function uriOfPath(file: string): string {
  return path.isAbsolute(file) ? pathToFileURL(file).href : file;
}

/** Whether an offset lies in a span, its end included: a cursor right after a word is still on it. */
export function spanContains(span: Span, offset: number): boolean {
  return offset >= span.start.offset && offset <= span.end.offset;
}
