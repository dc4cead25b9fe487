// `--set key=value` (vfmc run, compile, info, check): one spec entry written on the command line instead of in a
// file, the way DINOv2 users pass `optim.base_lr=…` to train.py. Its text is a virtual source named `<--set N>`,
// so the checker reports a misspelt key or a bad value exactly as it would in a file, with a position in the
// argument (`<--set 1>:1:17`). The entry is merged over each model's resolved body, after `extends`, so it wins
// over everything the files say; several --set apply in command-line order, a later one winning.
import { makeDiagnostic, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import type { Block, Entry, Ident, Value } from "./ast.js";
import { parseValue } from "./parse.js";
import { SourceText } from "./spans.js";

export interface SetOverride {
  /** `<--set N>`, N counting the --set options from 1 in command-line order */
  readonly file: string;
  /** the argument as given: the virtual source's text */
  readonly text: string;
  /** `heads { dino { l2norm true } }` as a block to merge over a model body; absent when the argument is broken */
  readonly block?: Block;
  readonly diagnostics: readonly Diagnostic[];
}

export function setSourceName(index: number): string {
  return `<--set ${index}>`;
}

export function isSetSource(file: string): boolean {
  return file.startsWith("<--set ");
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The key path's segments with their spans, or a diagnostic on the first bad one. */
function keyPath(src: SourceText, key: string): Ident[] | Diagnostic {
  const idents: Ident[] = [];
  let at = 0;
  for (const part of key.split(".")) {
    const span = src.span(at, at + Math.max(part.length, 1));
    if (!SEGMENT.test(part))
      return makeDiagnostic("SetBadKey", span, [key, part ? `'${part}' is not a name` : "a name is missing"]);
    idents.push({ name: part, span });
    at += part.length + 1;
  }
  return idents;
}

/**
 * The value text with one pair of enclosing double quotes blanked out: no spec key takes a string, so quotes
 * around the value (`optim.lr="cosine 1e-3 -> 1e-6"` written inside single quotes) are shell quoting. Blanks keep
 * every column where the user sees it.
 */
function unquoted(value: string): string {
  const m = /^(\s*)"(.*)"(\s*)$/.exec(value);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : value;
}

export function parseSetOverride(text: string, index: number): SetOverride {
  const file = setSourceName(index);
  const src = new SourceText(text, file);
  const whole = src.span(0, text.length);
  const broken = (d: Diagnostic): SetOverride => ({ file, text, diagnostics: [d] });
  const eq = text.indexOf("=");
  if (eq < 0) return broken(makeDiagnostic("SetNotKeyValue", whole, [text]));
  const path = keyPath(src, text.slice(0, eq));
  if (!Array.isArray(path)) return broken(path);
  const valueText = text.slice(eq + 1);
  if (valueText.trim() === "")
    return broken(makeDiagnostic("SetMissingValue", src.span(eq, eq + 1), [text.slice(0, eq)]));
  const parsed = parseValue(" ".repeat(eq + 1) + unquoted(valueText), file);
  if (parsed.diagnostics.length > 0) return { file, text, diagnostics: parsed.diagnostics };
  if (parsed.rest) {
    const rest = text.slice(parsed.rest.start.offset).trim();
    return broken(makeDiagnostic("SetTrailingText", parsed.rest, [rest, text.slice(0, eq)]));
  }
  if (!parsed.value)
    return broken(makeDiagnostic("SetMissingValue", src.span(eq, eq + 1), [text.slice(0, eq)]));
  return { file, text, block: nested(path, parsed.value, whole), diagnostics: [] };
}

/** `a.b.c = v` → the block `{ a { b { c v } } }`, every entry spanning the whole argument. */
function nested(path: readonly Ident[], value: Value, span: Span): Block {
  let entry: Entry = { kind: "entry", key: path[path.length - 1]!, value, span };
  for (let i = path.length - 2; i >= 0; i--)
    entry = { kind: "entry", key: path[i]!, block: { kind: "block", entries: [entry], span }, span };
  return { kind: "block", entries: [entry], span };
}
