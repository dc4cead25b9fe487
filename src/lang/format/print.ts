// The canonical .vfm layout as prettier docs. Blocks whose entries are all leaves (no nested
// block) go on one line when they fit — `global { count 2, size 224, scale 0.32 .. 1.0 }` —
// otherwise one entry per line with no commas; a block holding a nested block always breaks.
// Numbers print as written, ranges and arrows get spaces, one blank line between models,
// single blank lines between entries are kept. Comments are attached by prettier (see
// plugin.ts) and printed by it around the nodes; only dangling ones are printed here.
import { doc, util, type AstPath, type Doc, type ParserOptions, type Printer } from "prettier";
import type { Block, Comment, Document, Entry, Import, ModelDecl, Value } from "../ast.js";

const { breakParent, group, hardline, ifBreak, indent, join, line, lineSuffix, softline } = doc.builders;

export type VfmNode = Document | Import | ModelDecl | Block | Entry | Value | Comment;
type Printed = (
  path: AstPath<VfmNode>,
  options: ParserOptions<VfmNode>,
  print: (path: AstPath<VfmNode>) => Doc,
) => Doc;

interface AttachedComment extends Comment {
  leading?: boolean;
  trailing?: boolean;
  printed?: boolean;
}
const commentsOf = (node: object): AttachedComment[] =>
  (node as { comments?: AttachedComment[] }).comments ?? [];
const dangling = (node: object) => commentsOf(node).filter((c) => !c.leading && !c.trailing);

/** Prints the comments prettier could not place before or after a node (an empty block's, say). */
function printDangling(node: object): Doc[] {
  return dangling(node).map((c) => {
    c.printed = true;
    return c.text;
  });
}

export function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

const startOf = (n: { span: { start: { offset: number } } }) => n.span.start.offset;
const endOf = (n: { span: { end: { offset: number } } }) => n.span.end.offset;

function printDocument(path: AstPath<Document>, print: (p: AstPath<VfmNode>) => Doc): Doc {
  const d = path.node;
  const items = [
    ...path.map(
      (p) => ({ node: p.node as Import | ModelDecl, doc: print(p as AstPath<VfmNode>) }),
      "imports",
    ),
    ...path.map((p) => ({ node: p.node as Import | ModelDecl, doc: print(p as AstPath<VfmNode>) }), "models"),
  ].sort((a, b) => startOf(a.node) - startOf(b.node));
  const parts: Doc[] = [];
  items.forEach((item, i) => {
    const prev = items[i - 1];
    if (prev)
      parts.push(
        prev.node.kind === "import" && item.node.kind === "import" ? hardline : [hardline, hardline],
      );
    parts.push(item.doc);
  });
  const loose = printDangling(d);
  if (loose.length > 0) parts.push(...(parts.length > 0 ? [hardline] : []), join(hardline, loose));
  return parts.length > 0 ? [...parts, hardline] : "";
}

function printModel(path: AstPath<ModelDecl>, print: (p: AstPath<VfmNode>) => Doc): Doc {
  const m = path.node;
  return [
    "model ",
    m.name.name,
    m.extends ? [" extends ", m.extends.name] : "",
    " ",
    path.call(print as never, "body"),
  ];
}

const isLeafBlock = (b: Block) => b.entries.every((e) => e.block === undefined && commentsOf(e).length === 0);

function printBlock(
  path: AstPath<Block>,
  options: ParserOptions<VfmNode>,
  print: (p: AstPath<VfmNode>) => Doc,
): Doc {
  const b = path.node;
  const inner = printDangling(b);
  if (b.entries.length === 0)
    return inner.length === 0 ? "{}" : ["{", indent([hardline, join(hardline, inner)]), hardline, "}"];
  const entries = path.map((p) => print(p as AstPath<VfmNode>), "entries");
  const parts: Doc[] = [];
  b.entries.forEach((_entry, i) => {
    const prev = b.entries[i - 1];
    if (prev) {
      const blank = util.isNextLineEmpty(options.originalText, endOf(prev));
      parts.push(ifBreak("", ","), line, blank ? ifBreak(line, "") : "");
    }
    parts.push(entries[i] ?? "");
  });
  const body = ["{", indent([line, ...parts]), line, "}"];
  return isLeafBlock(b) ? group(body) : group([...body, breakParent]);
}

function printEntry(path: AstPath<Entry>, print: (p: AstPath<VfmNode>) => Doc): Doc {
  const e = path.node;
  const parts: Doc[] = [e.key.name];
  if (e.value) parts.push(" ", path.call(print as never, "value"));
  if (e.block) parts.push(" ", path.call(print as never, "block"));
  // keepBeforeDeclaration places comments inside values; this only guards against losing one.
  const loose = printDangling(e);
  if (loose.length > 0) parts.push(lineSuffix([" ", join(hardline, loose)]), breakParent);
  return parts;
}

function printValue(path: AstPath<Value>, print: (p: AstPath<VfmNode>) => Doc): Doc {
  const v = path.node;
  switch (v.kind) {
    case "number":
      return v.text;
    case "string":
      return quote(v.value);
    case "ident":
      return v.name;
    case "bool":
      return v.value ? "true" : "false";
    case "range":
      return [v.lo.text, " .. ", v.hi.text];
    case "list":
      if (v.items.length === 0) return "[]";
      return group([
        "[",
        indent([
          softline,
          join(
            [",", line],
            path.map((p) => print(p as AstPath<VfmNode>), "items"),
          ),
        ]),
        softline,
        "]",
      ]);
    case "schedule":
      return [
        v.shape ? [v.shape.name, " "] : "",
        v.from.text,
        " -> ",
        v.to.text,
        v.over ? [" over ", v.over.amount.text, " ", v.over.unit.name] : "",
        v.warmup ? [" warmup ", v.warmup.amount.text, " ", v.warmup.unit.name] : "",
      ];
  }
}

export const printVfm: Printed = (path, options, print) => {
  const node = path.node;
  switch (node.kind) {
    case "document":
      return printDocument(path as AstPath<Document>, print);
    case "import": {
      const loose = printDangling(node);
      return [
        "import ",
        quote(node.path),
        loose.length > 0 ? [lineSuffix([" ", join(hardline, loose)]), breakParent] : "",
      ];
    }
    case "model":
      return printModel(path as AstPath<ModelDecl>, print);
    case "block":
      return printBlock(path as AstPath<Block>, options, print);
    case "entry":
      return printEntry(path as AstPath<Entry>, print);
    case "comment":
      return node.text;
    default:
      return printValue(path as AstPath<Value>, print);
  }
};

const attachable = new Set(["import", "model", "block", "entry"]);
const visitorKeys: Record<string, readonly string[]> = {
  document: ["imports", "models"],
  model: ["body"],
  block: ["entries"],
  entry: ["value", "block"],
  list: ["items"],
  range: ["lo", "hi"],
  schedule: ["from", "to"],
};

/**
 * A comment inside an entry, import or model header, before any block of it (`p [0.1, // x` ⏎ `0.2]`,
 * `model a // x` ⏎ `{`), has no node of its own to stay with; it goes before the whole declaration,
 * where the next formatting finds it again (idempotence).
 */
function keepBeforeDeclaration(comment: {
  enclosingNode?: { kind?: string };
  precedingNode?: unknown;
}): boolean {
  const e = comment.enclosingNode;
  if (!e || comment.precedingNode || !["entry", "import", "model"].includes(e.kind ?? "")) return false;
  return util.addLeadingComment(e, comment);
}

export const vfmPrinter: Printer<VfmNode> = {
  handleComments: {
    ownLine: keepBeforeDeclaration,
    endOfLine: keepBeforeDeclaration,
    remaining: keepBeforeDeclaration,
  },
  print: printVfm,
  printComment: (path) => (path.node as Comment).text,
  canAttachComment: (node) => attachable.has((node as { kind?: string }).kind ?? ""),
  isBlockComment: () => false,
  getVisitorKeys: (node) => [...(visitorKeys[(node as { kind?: string }).kind ?? ""] ?? [])],
};
