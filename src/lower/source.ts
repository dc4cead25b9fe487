// Where a graph node came from. Lowering runs each spec construct's code inside `g.withSource(text)`, so every node
// carries `<file>:<line>:<col> <spec path>[ <detail>]` (e.g. `franca.vfm:61:5 heads.dino`), emitted as its ONNX
// doc_string. The location is that of the construct as written (spanOf falls back to the nearest written ancestor,
// so a defaulted `losses.koleo` points at `losses`). The text keeps the spec path, so a ShapeError raised while
// lowering, which carries only the text, can be turned back into a diagnostic at the span (shapeDiagnostic).
import { basename } from "node:path";
import type { GraphBuilder } from "../graph/builder.js";
import { ShapeError } from "../graph/errors.js";
import type { ModelIR } from "../ir/model.js";
import { spanOf } from "../ir/model.js";
import { makeDiagnostic, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";

/** Runs `build` with every node it creates attributed to the spec construct at `path`. */
export type At = <T>(path: string, build: () => T, detail?: string) => T;

/** `dinov2.vfm:40:5 losses.dino` (no location when the model has no span for the path or an ancestor). */
export function sourceText(ir: ModelIR, path: string, detail?: string): string {
  const span = spanOf(ir, path);
  const at = span ? `${basename(span.file)}:${span.start.line}:${span.start.col} ` : "";
  return `${at}${path}${detail ? ` ${detail}` : ""}`;
}

/** The `At` of a model's lowering into `g`. */
export function specSources(g: GraphBuilder, ir: ModelIR): At {
  return (path, build, detail) => g.withSource(sourceText(ir, path, detail), build);
}

/** An `At` that attributes nothing (nodes keep the source around the call). */
export const noSources: At = (_path, build) => build();

const LOCATED = /^\S+:\d+:\d+ (\S+)/;

/** The spec path a source text names. */
export function sourcePath(source: string): string {
  return LOCATED.exec(source)?.[1] ?? source.split(" ")[0]!;
}

/**
 * A ShapeError thrown while lowering `graph` means vfmc built an inconsistent graph for this spec (the checker
 * should have caught it, or the lowering has a bug the spec exposes): report it at the construct that built
 * the failing node, never as a stack.
 */
export function shapeDiagnostic(ir: ModelIR, graph: string, e: ShapeError): Diagnostic {
  const span: Span | undefined = e.source ? spanOf(ir, sourcePath(e.source)) : spanOf(ir, "model");
  return makeDiagnostic("LoweringShapeError", span, [graph, ir.name, e.message]);
}
