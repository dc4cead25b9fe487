// CST → AST, one function per grammar rule. Recovery leaves holes — a node may lack any child,
// tokens may be inserted without a position — so every lookup here is optional, and a node
// that lost a part the AST cannot do without (a model's name, a range's upper end) is dropped
// or shortened rather than invented. The parse error that caused the hole is already reported.
import type { CstElement, CstNode, IToken } from "chevrotain";
import type { Span } from "../diagnostics/diagnostic.js";
import type {
  Block,
  Comment,
  Document,
  Duration,
  Entry,
  Ident,
  Import,
  ModelDecl,
  NumberValue,
  ScheduleValue,
  Value,
} from "./ast.js";
import type { SourceText } from "./spans.js";
import * as T from "./tokens.js";

const isNode = (e: CstElement): e is CstNode => "children" in e;
const isReal = (t: IToken): boolean => !t.isInsertedInRecovery && Number.isFinite(t.startOffset);

function tok(node: CstNode | undefined, key: string): IToken | undefined {
  return node?.children[key]?.find((e): e is IToken => !isNode(e) && isReal(e));
}
function sub(node: CstNode | undefined, key: string): CstNode | undefined {
  return node?.children[key]?.find(isNode);
}
function subs(node: CstNode | undefined, key: string): CstNode[] {
  return (node?.children[key] ?? []).filter(isNode);
}

export class AstBuilder {
  constructor(private readonly src: SourceText) {}

  private tokenSpan(t: IToken): Span {
    return this.src.span(t.startOffset, t.startOffset + t.image.length);
  }
  private between(a: IToken, b: IToken): Span {
    return this.src.span(a.startOffset, b.startOffset + b.image.length);
  }
  /** Chevrotain tracks node offsets itself, skipping tokens recovery inserted (NaN offsets). */
  private nodeSpan(node: CstNode): Span | undefined {
    const loc = node.location;
    if (!loc || !Number.isFinite(loc.startOffset) || !Number.isFinite(loc.endOffset)) return undefined;
    return this.src.span(loc.startOffset, (loc.endOffset ?? loc.startOffset) + 1);
  }
  private ident(t: IToken): Ident {
    return { name: t.image, span: this.tokenSpan(t) };
  }

  document(cst: CstNode | undefined, comments: readonly IToken[]): Document {
    const imports: Import[] = [];
    const models: ModelDecl[] = [];
    // Imports and models interleave in the source; keep each list in source order.
    for (const n of subs(cst, "importDecl")) {
      const i = this.importDecl(n);
      if (i) imports.push(i);
    }
    for (const n of subs(cst, "modelDecl")) {
      const m = this.modelDecl(n);
      if (m) models.push(m);
    }
    return {
      kind: "document",
      file: this.src.file,
      imports,
      models,
      comments: comments.map((c): Comment => ({
        kind: "comment",
        text: c.image.trimEnd(),
        span: this.tokenSpan(c),
      })),
      span: this.src.span(0, this.src.text.length),
    };
  }

  private importDecl(n: CstNode): Import | undefined {
    const kw = tok(n, T.Import.name);
    const path = tok(n, "path");
    if (!kw || !path) return undefined;
    return {
      kind: "import",
      path: unquote(path),
      pathSpan: this.tokenSpan(path),
      span: this.between(kw, path),
    };
  }

  private modelDecl(n: CstNode): ModelDecl | undefined {
    const kw = tok(n, T.Model.name);
    const name = tok(n, "name");
    if (!kw || !name) return undefined;
    const parent = tok(n, "parent");
    const bodyNode = sub(n, "block");
    const body = (bodyNode && this.block(bodyNode)) ?? this.emptyBlockAfter(parent ?? name);
    return {
      kind: "model",
      name: this.ident(name),
      ...(parent ? { extends: this.ident(parent) } : {}),
      body,
      span: { file: this.src.file, start: this.tokenSpan(kw).start, end: body.span.end },
    };
  }

  private emptyBlockAfter(t: IToken): Block {
    const end = t.startOffset + t.image.length;
    return { kind: "block", entries: [], span: this.src.span(end, end) };
  }

  private block(n: CstNode): Block | undefined {
    const span = this.nodeSpan(n);
    if (!span) return undefined;
    const entries = subs(n, "entry")
      .map((e) => this.entry(e))
      .filter((e): e is Entry => e !== undefined);
    return { kind: "block", entries, span };
  }

  private entry(n: CstNode): Entry | undefined {
    const key = tok(n, "key");
    const span = this.nodeSpan(n);
    if (!key || !span) return undefined;
    const valueNode = sub(n, "value");
    const value = valueNode && this.value(valueNode);
    const blockNode = sub(n, "block");
    const block = blockNode && this.block(blockNode);
    return {
      kind: "entry",
      key: this.ident(key),
      ...(value ? { value } : {}),
      ...(block ? { block } : {}),
      span,
    };
  }

  /** A value parsed on its own (parse.ts parseValue, for `--set key=value`). */
  valueOf(n: CstNode | undefined): Value | undefined {
    return n && this.value(n);
  }

  private value(n: CstNode): Value | undefined {
    const span = this.nodeSpan(n);
    if (!span) return undefined;
    const numberNode = sub(n, "numberValue");
    if (numberNode) return this.numberValue(numberNode);
    const identNode = sub(n, "identValue");
    if (identNode) return this.identValue(identNode);
    const listNode = sub(n, "list");
    if (listNode) return this.list(listNode);
    const str = tok(n, T.StringLiteral.name);
    if (str) return { kind: "string", value: unquote(str), span };
    if (tok(n, T.True.name)) return { kind: "bool", value: true, span };
    if (tok(n, T.False.name)) return { kind: "bool", value: false, span };
    return undefined;
  }

  private number(t: IToken): NumberValue {
    // parseFloat, not Number: a malformed `768px` (already reported) still reads as 768.
    return { kind: "number", value: Number.parseFloat(t.image), text: t.image, span: this.tokenSpan(t) };
  }

  private numberValue(n: CstNode): Value | undefined {
    const firstTok = tok(n, "first");
    const span = this.nodeSpan(n);
    if (!firstTok || !span) return undefined;
    const first = this.number(firstTok);
    const hi = tok(n, "hi");
    if (tok(n, T.DotDot.name)) return hi ? { kind: "range", lo: first, hi: this.number(hi), span } : first;
    const to = tok(n, "to");
    if (tok(n, T.Arrow.name))
      return to ? this.schedule(undefined, first, this.number(to), sub(n, "scheduleTail"), span) : first;
    return first;
  }

  private identValue(n: CstNode): Value | undefined {
    const name = tok(n, "name");
    const span = this.nodeSpan(n);
    if (!name || !span) return undefined;
    const from = tok(n, "from");
    const to = tok(n, "to");
    if (from && to)
      return this.schedule(
        this.ident(name),
        this.number(from),
        this.number(to),
        sub(n, "scheduleTail"),
        span,
      );
    return { kind: "ident", name: name.image, span: this.tokenSpan(name) };
  }

  private schedule(
    shape: Ident | undefined,
    from: NumberValue,
    to: NumberValue,
    tail: CstNode | undefined,
    span: Span,
  ): ScheduleValue {
    const over = this.duration(sub(tail, "over"));
    const warmup = this.duration(sub(tail, "warmup"));
    return {
      kind: "schedule",
      ...(shape ? { shape } : {}),
      from,
      to,
      ...(over ? { over } : {}),
      ...(warmup ? { warmup } : {}),
      span,
    };
  }

  private duration(n: CstNode | undefined): Duration | undefined {
    const amount = tok(n, "amount");
    const unit = tok(n, "unit");
    if (!amount || !unit) return undefined;
    return { amount: this.number(amount), unit: this.ident(unit), span: this.between(amount, unit) };
  }

  private list(n: CstNode): Value | undefined {
    const span = this.nodeSpan(n);
    if (!span) return undefined;
    const items = subs(n, "value")
      .map((v) => this.value(v))
      .filter((v): v is Value => v !== undefined);
    // A list must own its brackets in the span even when recovery dropped the ']'.
    const open = tok(n, T.LSquare.name);
    return { kind: "list", items, span: open ? { ...span, start: this.tokenSpan(open).start } : span };
  }
}

/** The text of a string token without its quotes, escapes resolved (`\"`, `\\`, `\n`, `\t`). */
function unquote(t: IToken): string {
  const image = t.image;
  const closed = t.tokenType !== T.UnterminatedString;
  const body = image.slice(1, closed ? -1 : undefined);
  return body.replace(/\\(.?)/g, (_m, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}
