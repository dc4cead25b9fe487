// A program: the entry file, everything it imports (paths relative to the importing file), and
// every model with its `extends` chain merged into one body. Problems are diagnostics (VFM2001–2005)
// placed where they were written — the import's path, the parent's name — never exceptions.
import { readInputFile } from "../files/inputs.js";
import * as path from "node:path";
import { DiagnosticBag, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import type { Block, Document, ModelDecl } from "./ast.js";
import { mergeBlocks } from "./merge.js";
import { nearestName } from "./nearest.js";
import { parse } from "./parse.js";

export interface ResolveHost {
  /** The file's text, or undefined when it cannot be read. */
  readFile(file: string): string | undefined;
}

export interface ResolvedModel {
  readonly name: string;
  readonly nameSpan: Span;
  readonly file: string;
  /** parent first, then the child's overrides; every entry keeps the span where it was written */
  readonly body: Block;
  /** the model, then its parent, grandparent… (`["franca_vitl14", "dinov2_vitl14"]`) */
  readonly chain: readonly string[];
}

export interface Program {
  /** every file read, the entry first, keyed by path as shown in diagnostics */
  readonly files: Map<string, Document>;
  /** every model of every file whose extends chain resolved, in file order */
  readonly models: ResolvedModel[];
  readonly diagnostics: Diagnostic[];
}

export const fileHost: ResolveHost = {
  readFile(file) {
    try {
      return readInputFile(file, ".vfm spec").toString("utf8");
    } catch {
      return undefined;
    }
  },
};

/** Where an import points: relative to the importing file; shown as a normalized path. */
export function importTarget(importer: string, importPath: string): string {
  return path.isAbsolute(importPath)
    ? path.normalize(importPath)
    : path.normalize(path.join(path.dirname(importer), importPath));
}

export function loadProgram(entryFile: string, host: ResolveHost = fileHost): Program {
  const bag = new DiagnosticBag();
  const files = new Map<string, Document>();
  const visible = new Map<string, Set<string>>(); // file → itself and all it imports, transitively
  const loading: string[] = [];

  /** false when the file cannot be read; the caller reports it where it was named */
  const load = (file: string): boolean => {
    const text = host.readFile(file);
    if (text === undefined) return false;
    const { doc, diagnostics } = parse(text, file);
    for (const d of diagnostics) bag.add(d);
    files.set(file, doc);
    loading.push(file);
    const sees = new Set([file]);
    visible.set(file, sees);
    for (const imp of doc.imports) {
      const target = importTarget(file, imp.path);
      if (loading.includes(target)) {
        const cycle = [...loading.slice(loading.indexOf(target)), target].join(" → ");
        bag.report("ImportCycle", imp.pathSpan, [cycle]);
        continue;
      }
      if (!files.has(target) && !load(target)) {
        bag.report("ImportNotFound", imp.pathSpan, [imp.path, target]);
        continue;
      }
      for (const f of visible.get(target) ?? []) sees.add(f);
    }
    loading.pop();
    return true;
  };

  if (!load(entryFile))
    bag.report("FileNotFound", undefined, [entryFile, "no such file, or it cannot be read"]);

  const models = resolveModels(files, visible, bag);
  return { files, models, diagnostics: bag.items };
}

interface Decl {
  readonly decl: ModelDecl;
  readonly file: string;
}

function resolveModels(
  files: Map<string, Document>,
  visible: Map<string, Set<string>>,
  bag: DiagnosticBag,
): ResolvedModel[] {
  const byName = new Map<string, Decl>();
  const all: Decl[] = [];
  for (const [file, doc] of files)
    for (const decl of doc.models) {
      const d: Decl = { decl, file };
      all.push(d);
      const first = byName.get(decl.name.name);
      if (first) {
        bag.report("DuplicateModel", decl.name.span, [decl.name.name], {
          related: [{ span: first.decl.name.span, message: `'${decl.name.name}' is first defined here` }],
        });
      } else byName.set(decl.name.name, d);
    }

  const bodies = new Map<Decl, { body: Block; chain: string[] } | null>(); // null: broken chain
  const inProgress = new Set<Decl>();

  const resolve = (d: Decl): { body: Block; chain: string[] } | null => {
    const done = bodies.get(d);
    if (done !== undefined) return done;
    const parentRef = d.decl.extends;
    let result: { body: Block; chain: string[] } | null = { body: d.decl.body, chain: [d.decl.name.name] };
    if (parentRef) {
      const parent = byName.get(parentRef.name);
      const seen = visible.get(d.file) ?? new Set<string>();
      if (!parent || !seen.has(parent.file)) {
        bag.report("UnknownParentModel", parentRef.span, [
          d.decl.name.name,
          parentRef.name,
          unknownParentHint(d, parentRef.name, parent, seen, byName),
        ]);
        result = null;
      } else if (inProgress.has(parent) || parent === d) {
        // Shown from this model round to itself: `b → a → b`.
        const trail = [...inProgress, d].map((x) => x.decl.name.name);
        const around = [
          d.decl.name.name,
          ...trail.slice(trail.indexOf(parent.decl.name.name), -1),
          d.decl.name.name,
        ];
        bag.report("ExtendsCycle", parentRef.span, [d.decl.name.name, around.join(" → ")]);
        result = null;
      } else {
        inProgress.add(d);
        const base = resolve(parent);
        inProgress.delete(d);
        result = base && {
          body: mergeBlocks(base.body, d.decl.body),
          chain: [d.decl.name.name, ...base.chain],
        };
      }
    }
    bodies.set(d, result);
    return result;
  };

  const out: ResolvedModel[] = [];
  for (const d of all) {
    const r = resolve(d);
    if (r)
      out.push({
        name: d.decl.name.name,
        nameSpan: d.decl.name.span,
        file: d.file,
        body: r.body,
        chain: r.chain,
      });
  }
  return out;
}

function unknownParentHint(
  child: Decl,
  name: string,
  parent: Decl | undefined,
  seen: Set<string>,
  byName: Map<string, Decl>,
): string {
  if (parent) {
    const rel = path.relative(path.dirname(child.file), parent.file).split(path.sep).join("/");
    return `'${name}' is defined in ${parent.file}; add import "${rel}"`;
  }
  const candidates = [...byName.values()].filter((x) => seen.has(x.file)).map((x) => x.decl.name.name);
  const near = nearestName(name, candidates);
  if (near) return `did you mean '${near}'?`;
  return candidates.length > 0
    ? `models known here: ${candidates.join(", ")}`
    : "import the file that defines it";
}
