// Completion, driven by the schema tables: section names and keys valid where the cursor is (the section's variant
// decides which keys apply; keys already written in the block are left out), enum values, section kinds,
// true/false, names for name lists, schedule shapes and units, model names after `extends`, and .vfm files inside
// `import "…"`. What the cursor is in comes from the compiler's AST (which section); whether it waits for a key or
// a value comes from the text of the current entry, since the entry being typed is often not a complete one yet.
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from "vscode-languageserver";
import type { Block, Entry } from "../../lang/ast.js";
import { keyAt } from "../../lang/schema/index.js";
import type { KeySpec, SectionSpec } from "../../lang/schema/types.js";
import { locate, pathOf, sectionAt } from "../locate.js";
import { kindText, resolvedValues, valueText } from "../spec-text.js";
import type { Analysis } from "../workspace.js";

export interface CompletionOptions {
  /** the client understands snippet syntax (`${1|a,b|}`) */
  readonly snippets: boolean;
}

export function complete(a: Analysis, offset: number, opts: CompletionOptions): CompletionItem[] {
  const text = a.text.getText();
  const line = text.slice(text.lastIndexOf("\n", offset - 1) + 1, offset);
  const imp = /^\s*import\s+"([^"]*)$/.exec(line);
  if (imp) return importFiles(a, imp[1] ?? "", offset);
  if (/\bextends\s+\w*$/.test(line)) return modelNames(a, line);
  const at = locate(a.doc, offset);
  if (at.kind === "top" || at.kind === "model" || at.kind === "extends" || at.kind === "import") {
    return /^\s*\w*$/.test(line)
      ? ["model", "import"].map((label) => ({ label, kind: CompletionItemKind.Keyword }))
      : [];
  }
  const outer = at.kind === "block" ? at.entries : at.entries.slice(0, -1);
  const sectionPath = pathOf(outer);
  const section = sectionAt(sectionPath);
  if (!section) return [];
  // The entry being typed: from the last '{', ',' or line start — unless the cursor is inside an open list.
  const sinceBrace = line.slice(line.lastIndexOf("{") + 1);
  const list = /([A-Za-z_]\w*)\s*\[[^[\]]*$/.exec(sinceBrace);
  if (list) {
    const listed = new Set(
      sinceBrace.slice(sinceBrace.lastIndexOf("[") + 1).match(/[A-Za-z_]\w*(?=\s*,)/g) ?? [],
    );
    return valueItems(keyAt(join(sectionPath, list[1]!)), "").filter((item) => !listed.has(item.label));
  }
  const entryText = sinceBrace.slice(sinceBrace.lastIndexOf(",") + 1);
  if (/^\s*\w*$/.test(entryText)) {
    const typing = at.kind === "block" ? undefined : at.entries[at.entries.length - 1];
    const written = (blockOf(at.model.body, outer)?.entries ?? [])
      .filter((e) => e !== typing)
      .map((e) => e.key.name);
    return keyItems(a, at.model.name.name, sectionPath, section, outer, new Set(written), opts);
  }
  const keyed = /^\s*([A-Za-z_]\w*)\s+(.*)$/.exec(entryText);
  if (!keyed) return [];
  return valueItems(keyAt(join(sectionPath, keyed[1]!)), keyed[2] ?? "");
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

/** The block whose entries the cursor is among. */
function blockOf(body: Block, outer: readonly Entry[]): Block | undefined {
  let block: Block | undefined = body;
  for (const e of outer) block = block?.entries.find((x) => x === e)?.block;
  return block;
}

function keyItems(
  a: Analysis,
  model: string,
  sectionPath: string,
  section: SectionSpec,
  outer: readonly Entry[],
  written: ReadonlySet<string>,
  opts: CompletionOptions,
): CompletionItem[] {
  const variantWritten = outer[outer.length - 1]?.value;
  const variant =
    (variantWritten?.kind === "ident" ? variantWritten.name : undefined) ??
    resolvedValues(a, model)?.variants.get(sectionPath) ??
    section.defaultVariant;
  const accepted = section.variants?.find((v) => v.name === variant)?.keys;
  return section.keys
    .filter((k) => (!accepted || accepted.includes(k.key)) && !written.has(k.key))
    .map((k, i): CompletionItem => {
      const insert = opts.snippets ? keySnippet(k) : undefined;
      return {
        label: k.key,
        kind: k.section ? CompletionItemKind.Module : CompletionItemKind.Property,
        detail: k.section ? "section" : kindText(k),
        documentation: {
          kind: MarkupKind.Markdown,
          value: k.doc + (k.default !== undefined ? `\n\ndefault: \`${valueText(k.default)}\`` : ""),
        },
        sortText: String(i).padStart(3, "0"), // schema order

        ...(insert ? { insertText: insert, insertTextFormat: InsertTextFormat.Snippet } : {}),
      };
    });
}

function keySnippet(k: KeySpec): string {
  const choice = (xs: readonly string[]) => `\${1|${xs.join(",")}|}`;
  if (k.section) {
    // the default kind first, so accepting the snippet as offered writes what vfmc would assume anyway
    const variants = (k.section.variants?.map((v) => v.name) ?? []).sort(
      (a, b) => Number(b === k.section?.defaultVariant) - Number(a === k.section?.defaultVariant),
    );
    return variants.length > 1 ? `${k.key} ${choice(variants)} { $0 }` : `${k.key} { $0 }`;
  }
  if (k.kind === "enum" && k.values) return `${k.key} ${choice(k.values)}`;
  if (k.kind === "bool")
    return `${k.key} ${choice(k.default === false ? ["false", "true"] : ["true", "false"])}`;
  if (k.default !== undefined) return `${k.key} \${1:${valueText(k.default).replace(/[$}\\]/g, "\\$&")}}`;
  return `${k.key} $1`;
}

function valueItems(spec: KeySpec | undefined, typed: string): CompletionItem[] {
  if (!spec) return [];
  const names = (xs: readonly string[], kind: CompletionItemKind, doc?: (x: string) => string | undefined) =>
    xs.map((label): CompletionItem => {
      const d = doc?.(label);
      return { label, kind, ...(d ? { documentation: d } : {}) };
    });
  if (spec.section) {
    const variants = spec.section.variants ?? [];
    return names(
      variants.map((v) => v.name),
      CompletionItemKind.EnumMember,
      (n) => variants.find((v) => v.name === n)?.doc,
    );
  }
  if (spec.kind === "enum" || (spec.kind === "list" && spec.items === "name"))
    return names(spec.values ?? [], CompletionItemKind.EnumMember);
  if (spec.kind === "bool") return names(["true", "false"], CompletionItemKind.Value);
  if (spec.kind === "schedule") {
    if (/\b(over|warmup)\s+\S+\s+\w*$/.test(typed))
      return names(["epochs", "steps"], CompletionItemKind.Unit);
    if (/->\s*\S+\s+\w*$/.test(typed)) return names(["over", "warmup"], CompletionItemKind.Keyword);
    if (/^\w*$/.test(typed)) return names(["cosine", "linear", "constant"], CompletionItemKind.Function);
  }
  return [];
}

function modelNames(a: Analysis, line: string): CompletionItem[] {
  const self = /model\s+(\w+)/.exec(line)?.[1];
  return a
    .program()
    .models.filter((m) => m.name !== self)
    .map((m) => ({ label: m.name, kind: CompletionItemKind.Class, detail: path.basename(m.file) }));
}

/** `.vfm` files and folders next to the file, relative to it, replacing what is typed after the last '/'. */
function importFiles(a: Analysis, typed: string, offset: number): CompletionItem[] {
  if (!path.isAbsolute(a.file)) return [];
  const slash = typed.lastIndexOf("/");
  const dir = path.resolve(path.dirname(a.file), typed.slice(0, slash + 1));
  let entries: { name: string; isDirectory(): boolean }[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const start = a.text.positionAt(offset - (typed.length - slash - 1));
  const end = a.text.positionAt(offset);
  return entries
    .filter(
      (e) =>
        (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") ||
        (e.name.endsWith(".vfm") && path.join(dir, e.name) !== a.file),
    )
    .map((e) => {
      const label = e.isDirectory() ? `${e.name}/` : e.name;
      return {
        label,
        kind: e.isDirectory() ? CompletionItemKind.Folder : CompletionItemKind.File,
        textEdit: { range: { start, end }, newText: label },
      };
    });
}
