// Chevrotain's lexer and parser errors → VFM1xxx diagnostics. The parser's message provider
// does not write prose: it records what was expected as JSON, and `parseErrorDiagnostic` turns
// that plus the token stream into a message with exact spans ("expected '}' to close the block
// opened at 3:12 but found 'model'").
import {
  EOF,
  tokenLabel,
  type ILexingError,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "chevrotain";
import { makeDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { formatPosition, type SourceText } from "./spans.js";
import * as T from "./tokens.js";

interface ErrorInfo {
  readonly kind: "mismatch" | "noViableAlt" | "earlyExit" | "notAllInput";
  readonly expected: readonly string[]; // token type names
  readonly custom?: string;
  readonly rule: string;
}

const firstTokens = (paths: readonly (readonly TokenType[])[]): string[] =>
  paths.map((p) => p[0]?.name).filter((n): n is string => n !== undefined);

const encode = (info: ErrorInfo): string => JSON.stringify(info);

export const parserMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) =>
    encode({ kind: "mismatch", expected: [expected.name], rule: ruleName }),
  buildNotAllInputParsedMessage: ({ ruleName }) =>
    encode({ kind: "notAllInput", expected: [], rule: ruleName }),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, customUserDescription, ruleName }) =>
    encode({
      kind: "noViableAlt",
      expected: expectedPathsPerAlt.flatMap(firstTokens),
      ...(customUserDescription ? { custom: customUserDescription } : {}),
      rule: ruleName,
    }),
  buildEarlyExitMessage: ({ expectedIterationPaths, customUserDescription, ruleName }) =>
    encode({
      kind: "earlyExit",
      expected: firstTokens(expectedIterationPaths),
      ...(customUserDescription ? { custom: customUserDescription } : {}),
      rule: ruleName,
    }),
};

function decode(message: string): ErrorInfo {
  try {
    return JSON.parse(message) as ErrorInfo;
  } catch {
    return { kind: "mismatch", expected: [], rule: "" }; // not ours: still reported, just less precisely
  }
}

const tokenByName = new Map<string, TokenType>(T.allTokens.map((t) => [t.name, t]));

function isEof(tok: IToken | undefined): boolean {
  return tok === undefined || tok.tokenType === EOF || !Number.isFinite(tok.startOffset);
}

/** How a found token reads in a message: `'model'`, `'}'`, `'0.5'`, `end of file`. */
function describeToken(tok: IToken | undefined): string {
  if (isEof(tok) || tok === undefined) return "end of file";
  const image = tok.image.length > 24 ? `${tok.image.slice(0, 24)}…` : tok.image;
  return `'${image}'`;
}

function describeExpected(info: ErrorInfo, previous: IToken | undefined): string {
  if (info.custom) return info.custom;
  const names = [...new Set(info.expected)];
  if (info.rule === "modelDecl" && names.includes(T.Identifier.name))
    return previous?.tokenType === T.Extends
      ? "the name of the model to extend"
      : "a model name after 'model'";
  if (info.rule === "importDecl") return "a file name in quotes after 'import'";
  if (info.rule === "duration" && names.includes(T.Identifier.name)) return "a unit (epochs or steps)";
  if (info.rule === "modelDecl" && names.includes(T.LCurly.name)) return "'{' to open the model's body";
  const labels = names.map((n) => tokenLabel(tokenByName.get(n) ?? EOF));
  const what =
    labels.length <= 1
      ? (labels[0] ?? "something else")
      : `${labels.slice(0, -1).join(", ")} or ${labels.at(-1)}`;
  return previous && !isEof(previous) ? `${what} after ${describeToken(previous)}` : what;
}

/** The innermost `open` bracket still unclosed before `offset`. */
function openerBefore(
  tokens: readonly IToken[],
  offset: number,
  open: TokenType,
  close: TokenType,
): IToken | undefined {
  const stack: IToken[] = [];
  for (const t of tokens) {
    if (t.startOffset >= offset) break;
    if (t.tokenType === open) stack.push(t);
    else if (t.tokenType === close) stack.pop();
  }
  return stack.at(-1);
}

const tokenSpan = (src: SourceText, tok: IToken | undefined) =>
  tok === undefined || isEof(tok)
    ? src.endSpan()
    : src.span(tok.startOffset, tok.startOffset + tok.image.length);

export function parseErrorDiagnostic(
  e: IRecognitionException,
  tokens: readonly IToken[],
  src: SourceText,
): Diagnostic {
  const info = decode(e.message);
  const found = e.token;
  const previous = (e as { previousToken?: IToken }).previousToken;
  const at = tokenSpan(src, found);
  const foundText = describeToken(found);
  const offset = isEof(found) ? src.text.length : found.startOffset;

  if (info.kind === "notAllInput" || (info.kind === "mismatch" && info.expected[0] === EOF.name))
    return found.tokenType === T.RCurly
      ? makeDiagnostic("StrayCloseBrace", at)
      : makeDiagnostic("ExpectedTopLevel", at, [foundText]);

  if (info.kind === "mismatch" && info.expected[0] === T.RCurly.name) {
    const opener = openerBefore(tokens, offset, T.LCurly, T.RCurly);
    if (opener) {
      const openSpan = tokenSpan(src, opener);
      const where = formatPosition(openSpan.start);
      if (isEof(found))
        return makeDiagnostic("UnclosedBlock", openSpan, [], {
          related: [{ span: at, message: "the file ends here" }],
        });
      const related = [{ span: openSpan, message: "the block opened here" }];
      if (found.tokenType === T.Model || found.tokenType === T.Import)
        return makeDiagnostic("BlockNotClosed", at, [where, foundText], { related });
      return makeDiagnostic("StrayInBlock", at, [foundText, where], { related });
    }
  }

  if (info.kind === "mismatch" && (info.expected[0] === T.RSquare.name || info.rule === "list")) {
    const opener = openerBefore(tokens, offset, T.LSquare, T.RSquare);
    if (opener) {
      const openSpan = tokenSpan(src, opener);
      if (isEof(found))
        return makeDiagnostic("UnclosedList", openSpan, [], {
          related: [{ span: at, message: "the file ends here" }],
        });
      return makeDiagnostic("StrayInList", at, [formatPosition(openSpan.start), foundText], {
        related: [{ span: openSpan, message: "the list opened here" }],
      });
    }
  }

  if (info.kind === "noViableAlt" && info.rule === "value")
    return makeDiagnostic("ExpectedValue", at, [foundText]);
  return makeDiagnostic("UnexpectedToken", at, [describeExpected(info, previous), foundText]);
}

export function lexErrorDiagnostic(e: ILexingError, src: SourceText): Diagnostic {
  const text = src.text.slice(e.offset, e.offset + e.length);
  const span = src.span(e.offset, e.offset + e.length);
  if (text === ":" || text === "=") return makeDiagnostic("KeyValueSeparator", span, [text]);
  return makeDiagnostic("UnexpectedCharacter", src.span(e.offset, e.offset + e.length), [`'${text}'`]);
}

/** Tokens the lexer accepted so parsing could go on, but which are errors of their own. */
export function badTokenDiagnostic(tok: IToken, src: SourceText): Diagnostic | undefined {
  const span = tokenSpan(src, tok);
  if (tok.tokenType === T.UnterminatedString) return makeDiagnostic("UnterminatedString", span);
  if (tok.tokenType === T.MalformedNumber) return makeDiagnostic("MalformedNumber", span, [tok.image]);
  return undefined;
}
