// Offsets → line/column spans. Spans are computed from offsets alone so that tokens recovery
// inserted (which have no position) and the end of the file are handled in one place.
import type { Position, Span } from "../diagnostics/diagnostic.js";

export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(Number.isFinite(offset) ? offset : this.text.length, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { offset: o, line: lo + 1, col: o - (this.lineStarts[lo] ?? 0) + 1 };
  }

  /** `end` is exclusive. */
  span(start: number, end: number): Span {
    const s = this.position(start);
    const e = this.position(Math.max(end, s.offset));
    return { file: this.file, start: s, end: e };
  }

  /** An empty span at the end of the text, for "found end of file". */
  endSpan(): Span {
    return this.span(this.text.length, this.text.length);
  }
}

export function formatPosition(p: Position): string {
  return `${p.line}:${p.col}`;
}
