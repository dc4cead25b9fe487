// The front door of src/lang: text → (possibly partial) Document + VFM1xxx diagnostics.
// Never throws on any input: recovery keeps going after each error so one run reports many.
import type { CstNode, IToken } from "chevrotain";
import { makeDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Document, Value } from "./ast.js";
import { AstBuilder } from "./cst-to-ast.js";
import { badTokenDiagnostic, lexErrorDiagnostic, parseErrorDiagnostic } from "./errors.js";
import { vfmParser } from "./parser.js";
import { SourceText } from "./spans.js";
import type { Span } from "../diagnostics/diagnostic.js";
import * as T from "./tokens.js";

export interface ParseResult {
  readonly doc: Document;
  readonly diagnostics: Diagnostic[];
}

/** Deeper nesting than any spec needs; the recursive-descent parser would run out of stack first. */
export const MAX_NESTING = 200;

function tooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === T.LCurly || t.tokenType === T.LSquare) {
      if (++depth > MAX_NESTING) return t;
    } else if (t.tokenType === T.RCurly || t.tokenType === T.RSquare) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

function parseTokens(tokens: IToken[], src: SourceText): { cst?: CstNode; diagnostics: Diagnostic[] } {
  const deep = tooDeep(tokens);
  if (deep) {
    const at = src.span(deep.startOffset, deep.startOffset + 1);
    return { diagnostics: [makeDiagnostic("NestingTooDeep", at, [MAX_NESTING])] };
  }
  const parser = vfmParser();
  parser.input = tokens;
  try {
    const cst = parser.document();
    return { cst, diagnostics: parser.errors.map((e) => parseErrorDiagnostic(e, tokens, src)) };
  } catch (e) {
    // Recovery is on, so chevrotain should not throw on bad input; if it does, it is a vfmc bug,
    // reported as such (the fuzz test looks for it) instead of breaking the "never throws" promise.
    const why = e instanceof Error ? e.message : String(e);
    return {
      diagnostics: [
        makeDiagnostic("InternalCompilerError", src.span(0, 0), [`the .vfm parser failed: ${why}`]),
      ],
    };
  }
}

export function parse(text: string, file: string): ParseResult {
  const src = new SourceText(text, file);
  const lexed = T.vfmLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of lexed.errors) diagnostics.push(lexErrorDiagnostic(e, src));
  for (const t of lexed.tokens) {
    const d = badTokenDiagnostic(t, src);
    if (d) diagnostics.push(d);
  }

  const parsed = parseTokens(lexed.tokens, src);
  // A parse error on the token right after a skipped character is that character's fault
  // (`x 1 = 2`): the lexer error says so already.
  const afterLexError = new Set(
    lexed.errors.map((e) => lexed.tokens.find((t) => t.startOffset >= e.offset + e.length)?.startOffset),
  );
  const seen = new Set<string>();
  for (const d of parsed.diagnostics) {
    // Recovery can report the same place twice (once in a repetition, once in the rule).
    const key = `${d.code}@${d.span?.start.offset}`;
    if (!seen.has(key) && !afterLexError.has(d.span?.start.offset)) diagnostics.push(d);
    seen.add(key);
  }
  diagnostics.sort((a, b) => (a.span?.start.offset ?? 0) - (b.span?.start.offset ?? 0));
  const comments: IToken[] = lexed.groups["comments"] ?? [];
  return { doc: new AstBuilder(src).document(parsed.cst, comments), diagnostics };
}

export interface ValueParse {
  readonly value?: Value;
  readonly diagnostics: Diagnostic[];
  /** the first token after the value, when there is one: the caller decides what it means */
  readonly rest?: Span;
}

/**
 * One value on its own, the right-hand side of `--set key=value`. `text` may begin with blanks standing for what
 * precedes the value, so spans carry the columns of the whole text the user wrote.
 */
export function parseValue(text: string, file: string): ValueParse {
  const src = new SourceText(text, file);
  const lexed = T.vfmLexer.tokenize(text);
  const diagnostics: Diagnostic[] = lexed.errors.map((e) => lexErrorDiagnostic(e, src));
  for (const t of lexed.tokens) {
    const d = badTokenDiagnostic(t, src);
    if (d) diagnostics.push(d);
  }
  const parser = vfmParser();
  parser.input = lexed.tokens;
  let cst: CstNode | undefined;
  try {
    cst = parser.value();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    diagnostics.push(
      makeDiagnostic("InternalCompilerError", src.span(0, 0), [`the .vfm parser failed: ${why}`]),
    );
  }
  // what follows the value (tokens, or characters the lexer rejected) is not an error of the value itself
  const end = cst?.location?.endOffset;
  const after = (offset: number | undefined): boolean =>
    end !== undefined && Number.isFinite(end) && offset !== undefined && offset > end;
  const restAt = Math.min(
    ...lexed.tokens.filter((t) => after(t.startOffset)).map((t) => t.startOffset),
    ...diagnostics.filter((d) => after(d.span?.start.offset)).map((d) => d.span!.start.offset),
  );
  const own = diagnostics.filter((d) => !after(d.span?.start.offset));
  for (const e of parser.errors)
    if (e.name !== "NotAllInputParsedException") own.push(parseErrorDiagnostic(e, lexed.tokens, src));
  const value = own.length === 0 ? new AstBuilder(src).valueOf(cst) : undefined;
  return {
    ...(value ? { value } : {}),
    diagnostics: own,
    ...(Number.isFinite(restAt) ? { rest: src.span(restAt, text.length) } : {}),
  };
}
