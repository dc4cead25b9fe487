// What is under the cursor: an import path, a model name, an `extends` target, a key, a value, or the inside of a
// block — with the chain of entries from the model body down to it, so a feature can name the spec path
// ("backbone.dim", "heads.dino.nested") and look it up in the schema tables.
import type { Block, Document, Entry, Ident, Import, ModelDecl, Value } from "../lang/ast.js";
import { keyAt, modelSchema } from "../lang/schema/index.js";
import type { SectionSpec } from "../lang/schema/types.js";
import { spanContains } from "./positions.js";

export type Located =
  | { readonly kind: "import"; readonly imp: Import }
  | { readonly kind: "model"; readonly model: ModelDecl }
  | { readonly kind: "extends"; readonly model: ModelDecl; readonly parent: Ident }
  /** on the key of the last entry of `entries` */
  | { readonly kind: "key"; readonly model: ModelDecl; readonly entries: readonly Entry[] }
  /** on (part of) the value of the last entry of `entries` */
  | {
      readonly kind: "value";
      readonly model: ModelDecl;
      readonly entries: readonly Entry[];
      readonly value: Value;
    }
  /** between the entries of a block: the model body when `entries` is empty, else the last entry's block */
  | { readonly kind: "block"; readonly model: ModelDecl; readonly entries: readonly Entry[] }
  | { readonly kind: "top" };

export function locate(doc: Document, offset: number): Located {
  for (const imp of doc.imports) if (spanContains(imp.pathSpan, offset)) return { kind: "import", imp };
  for (const model of doc.models) {
    if (spanContains(model.name.span, offset)) return { kind: "model", model };
    if (model.extends && spanContains(model.extends.span, offset))
      return { kind: "extends", model, parent: model.extends };
    if (insideBlock(model.body, offset)) return inBlock(model, model.body, [], offset);
  }
  return { kind: "top" };
}

/** Strictly between the braces (a block's span runs from '{' to '}'). */
function insideBlock(block: Block, offset: number): boolean {
  return offset > block.span.start.offset && offset < block.span.end.offset;
}

function inBlock(model: ModelDecl, block: Block, outer: readonly Entry[], offset: number): Located {
  for (const entry of block.entries) {
    const entries = [...outer, entry];
    if (spanContains(entry.key.span, offset)) return { kind: "key", model, entries };
    if (entry.value && spanContains(entry.value.span, offset))
      return { kind: "value", model, entries, value: innermostValue(entry.value, offset) };
    if (entry.block && insideBlock(entry.block, offset)) return inBlock(model, entry.block, entries, offset);
  }
  return { kind: "block", model, entries: outer };
}

/** A list item rather than the whole list, so a hover or completion can speak of that item. */
function innermostValue(v: Value, offset: number): Value {
  if (v.kind === "list")
    for (const item of v.items) if (spanContains(item.span, offset)) return innermostValue(item, offset);
  return v;
}

/** "backbone.dim" for the entries backbone → dim. */
export function pathOf(entries: readonly Entry[]): string {
  return entries.map((e) => e.key.name).join(".");
}

/** The section table at a spec path ("" = the model body), or undefined when the path is not a section. */
export function sectionAt(path: string): SectionSpec | undefined {
  return path === "" ? modelSchema : keyAt(path)?.section;
}
