// A program: the entry file, everything it imports (paths relative to the importing file), and
// every model with its `extends` chain merged into one body. Problems are diagnostics (VFM2001–2005, 3022)
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

export function loadProgram(
  entryFile: string,
  host: ResolveHost = fileHost,
  opts: { readonly extendsLimit?: number } = {},
): Program {
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

  const models = resolveModels(files, visible, bag, opts.extendsLimit ?? EXTENDS_LIMIT);
  return { files, models, diagnostics: bag.items };
}

interface Decl {
  readonly decl: ModelDecl;
  readonly file: string;
}

/** How deep an `extends` chain may be (VFM3022). Published recipes are two or three models deep. */
export const EXTENDS_LIMIT = 100;

interface Resolved {
  readonly body: Block;
  /** the model's name and its parent's chain, shared: a chain of n models costs n links, not n² names */
  readonly link: ChainLink;
  readonly depth: number;
}

interface ChainLink {
  readonly name: string;
  readonly parent?: ChainLink;
}

function chainOf(link: ChainLink): string[] {
  const out: string[] = [];
  for (let l: ChainLink | undefined = link; l; l = l.parent) out.push(l.name);
  return out;
}

/**
 * Every model's merged body and chain, in time and memory linear in the number of models: each model is resolved
 * once, after its parent, by walking up to the nearest resolved ancestor without recursion (a chain of 30 000 models
 * used to exhaust the stack and, copying each chain, the heap).
 */
function resolveModels(
  files: Map<string, Document>,
  visible: Map<string, Set<string>>,
  bag: DiagnosticBag,
  extendsLimit: number,
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

  const done = new Map<Decl, Resolved | null>(); // null: broken chain (reported where it breaks)

  /** The parent a model extends, or a reason it has none: unknown, or a cycle through `walk`. */
  const parentOf = (d: Decl): Decl | undefined | "unknown" => {
    const ref = d.decl.extends;
    if (!ref) return undefined;
    const parent = byName.get(ref.name);
    const seen = visible.get(d.file) ?? new Set<string>();
    if (!parent || !seen.has(parent.file)) {
      bag.report("UnknownParentModel", ref.span, [
        d.decl.name.name,
        ref.name,
        unknownParentHint(d, ref.name, parent, seen, byName),
      ]);
      return "unknown";
    }
    return parent;
  };

  const resolve = (start: Decl): Resolved | null => {
    // walk up to a resolved ancestor (or the root), then resolve downwards
    const walk: Decl[] = [];
    const onWalk = new Set<Decl>();
    let above: Resolved | null | undefined; // what the topmost model of the walk extends; undefined = nothing
    for (let d: Decl | undefined = start; d;) {
      const known = done.get(d);
      if (known !== undefined) {
        above = known;
        break;
      }
      if (onWalk.has(d)) {
        // a cycle: shown from the model whose parent closes it, round to itself (`b → a → b`)
        const from = walk[walk.length - 1]!;
        const names = walk.slice(walk.indexOf(d)).map((x) => x.decl.name.name);
        const around = [from.decl.name.name, ...names.slice(0, -1).reverse(), from.decl.name.name];
        bag.report("ExtendsCycle", from.decl.extends!.span, [from.decl.name.name, around.join(" → ")]);
        for (const x of walk.slice(walk.indexOf(d))) done.set(x, null);
        above = null;
        walk.length = walk.indexOf(d);
        break;
      }
      walk.push(d);
      onWalk.add(d);
      const parent = parentOf(d);
      if (parent === "unknown") {
        done.set(walk.pop()!, null);
        above = null;
        break;
      }
      d = parent;
    }
    for (let i = walk.length - 1; i >= 0; i--) {
      const d = walk[i]!;
      let r: Resolved | null;
      if (above === undefined) r = { body: d.decl.body, link: { name: d.decl.name.name }, depth: 1 };
      else if (above === null) r = null;
      else if (above.depth >= extendsLimit) {
        bag.report("ExtendsTooDeep", d.decl.extends!.span, [d.decl.name.name, above.depth + 1, extendsLimit]);
        r = null;
      } else
        r = {
          body: mergeBlocks(above.body, d.decl.body),
          link: { name: d.decl.name.name, parent: above.link },
          depth: above.depth + 1,
        };
      done.set(d, r);
      above = r;
    }
    return done.get(start) ?? null;
  };

  const out: ResolvedModel[] = [];
  for (const d of all) {
    const r = resolve(d);
    if (r) {
      const link = r.link;
      out.push({
        name: d.decl.name.name,
        nameSpan: d.decl.name.span,
        file: d.file,
        body: r.body,
        get chain() {
          return chainOf(link); // on demand: all chains of a long extends chain together are quadratic
        },
      });
    }
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
