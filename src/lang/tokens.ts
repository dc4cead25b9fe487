// The .vfm tokens. Order matters to chevrotain: the first pattern that matches wins, so
// comments come before anything starting with '/', keywords before Identifier (each keyword
// names Identifier as its longer_alt so `models` or `overlap` stay names), Arrow before any
// pattern starting with '-', and MalformedNumber after NumberLiteral.
// Labels are what users read in error messages: `'}'`, never `RCurly`.
import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});

// Comments stay in a group of their own so the formatter can put them back.
export const Comment = createToken({
  name: "Comment",
  pattern: /\/\/[^\n\r]*/,
  group: "comments",
  label: "comment",
});

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "a name",
});

function keyword(word: string): TokenType {
  return createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
  });
}

export const Model = keyword("model");
export const Extends = keyword("extends");
export const Import = keyword("import");
export const True = keyword("true");
export const False = keyword("false");
export const Over = keyword("over");
export const Warmup = keyword("warmup");

export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  label: "a string",
});
// A string whose closing quote is missing before the end of the line. It counts as a string
// so parsing goes on; errors.ts reports it once (VFM1002).
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\.)*\\?/,
  categories: [StringLiteral],
  label: "a string",
});

// `1.0..2` must lex as 1.0 `..` 2: the fraction needs a digit after the dot.
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z_\d]|\.\d)/,
  start_chars_hint: ["-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  label: "a number",
});
// `768px`, `1e`, `2.5x`: a number glued to a name. It counts as a number so parsing goes on;
// errors.ts reports it once (VFM1005).
export const MalformedNumber = createToken({
  name: "MalformedNumber",
  pattern: /-?\d+(?:\.\d+)?[A-Za-z_][A-Za-z0-9_]*(?:[+-]\d+)?/,
  start_chars_hint: ["-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  categories: [NumberLiteral],
  label: "a number",
});

export const Arrow = createToken({ name: "Arrow", pattern: /->/, label: "'->'" });
export const DotDot = createToken({ name: "DotDot", pattern: /\.\./, label: "'..'" });
export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "'}'" });
export const LSquare = createToken({ name: "LSquare", pattern: /\[/, label: "'['" });
export const RSquare = createToken({ name: "RSquare", pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });

export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  Model,
  Extends,
  Import,
  True,
  False,
  Over,
  Warmup,
  Identifier,
  StringLiteral,
  UnterminatedString,
  Arrow,
  NumberLiteral,
  MalformedNumber,
  DotDot,
  LCurly,
  RCurly,
  LSquare,
  RSquare,
  Comma,
];

// Spans are computed from offsets (spans.ts), which also covers tokens that recovery inserted
// without a position; lines are tracked too because the parser asks whether a value starts on
// its key's line.
export const vfmLexer = new Lexer([...allTokens], { positionTracking: "full", ensureOptimizations: true });
