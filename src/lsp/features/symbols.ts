// The outline: imports, then each model with its sections and keys nested as written; a key's detail is its
// value as written.
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import type { Entry } from "../../lang/ast.js";
import { rangeOf } from "../positions.js";
import type { Analysis } from "../workspace.js";

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const text = a.text.getText();
  const entry = (e: Entry): DocumentSymbol => ({
    name: e.key.name,
    kind: e.block ? SymbolKind.Namespace : SymbolKind.Property,
    ...(e.value ? { detail: text.slice(e.value.span.start.offset, e.value.span.end.offset) } : {}),
    range: rangeOf(e.span),
    selectionRange: rangeOf(e.key.span),
    ...(e.block ? { children: e.block.entries.map(entry) } : {}),
  });
  return [
    ...a.doc.imports.map((imp): DocumentSymbol => ({
      name: imp.path,
      detail: "import",
      kind: SymbolKind.File,
      range: rangeOf(imp.span),
      selectionRange: rangeOf(imp.pathSpan),
    })),
    ...a.doc.models.map((m): DocumentSymbol => ({
      name: m.name.name,
      ...(m.extends ? { detail: `extends ${m.extends.name}` } : {}),
      kind: SymbolKind.Class,
      range: rangeOf(m.span),
      selectionRange: rangeOf(m.name.span),
      children: m.body.entries.map(entry),
    })),
  ];
}
