// A .vfm file → checked model IRs and every diagnostic of parsing (VFM1xxx), resolution and keys (VFM2xxx) and model
// checks (VFM3xxx). The model checks include the loss terms' own, which live downstream with the terms
// (src/lower/objectives) and come in as `termChecks`: consumers call checkSpec of src/lower/check-spec.ts.
import { DiagnosticBag, type Diagnostic, type Span } from "../diagnostics/diagnostic.js";
import type { Document } from "../lang/ast.js";
import { mergeBlocks } from "../lang/merge.js";
import { loadProgram, type ResolveHost, type ResolvedModel } from "../lang/resolve.js";
import { isSetSource, type SetOverride } from "../lang/set-override.js";
import { modelSchema } from "../lang/schema/index.js";
import type { SectionSpec } from "../lang/schema/types.js";
import { buildModel } from "./build.js";
import { checkBounds, checkModel, type TermChecks } from "./check/index.js";
import { readModel, reportDuplicateKeys } from "./from-ast.js";
import type { ModelIR } from "./model.js";
import type { SpecValues } from "./spec-values.js";

export interface SpecResult {
  /**
   * the models declared in the entry file that could be built (errors may still have been reported for them);
   * none when any file has a syntax error
   */
  readonly models: ModelIR[];
  /** sorted by file, then position; each reported once even when several models inherit the cause */
  readonly diagnostics: Diagnostic[];
  /** every parsed file, the entry first */
  readonly files: ReadonlyMap<string, Document>;
}

export interface CheckOptions {
  /** `--set key=value` entries, merged over every model of the entry file in order (src/lang/set-override.ts) */
  readonly overrides?: readonly SetOverride[];
}

export function checkSpecWith(
  file: string,
  termChecks: TermChecks,
  host?: ResolveHost,
  options: CheckOptions = {},
): SpecResult {
  const program = loadProgram(file, host);
  const bag = new DiagnosticBag();
  const overrides = options.overrides ?? [];
  for (const o of overrides) for (const d of o.diagnostics) bag.add(d);
  for (const [, doc] of program.files)
    for (const decl of doc.models) reportDuplicateKeys(decl.body, "the model", bag);
  const entryFile = program.files.keys().next().value;
  const models: ModelIR[] = [];
  // A file that does not parse yields a partial AST; checking it would mostly report the syntax error again.
  const syntaxBroken = program.diagnostics.some((d) => d.code.startsWith("VFM1") && d.severity === "error");
  for (const m of syntaxBroken ? [] : program.models) {
    if (m.file !== entryFile) continue;
    const ir = buildCheckedModel(withOverrides(m, overrides), program.files, bag, termChecks);
    if (ir) models.push(ir);
  }
  return {
    models,
    diagnostics: sortUnique(
      [...program.diagnostics, ...bag.items],
      [...overrides.map((o) => o.file), ...program.files.keys()],
    ),
    files: program.files,
  };
}

/** The model with the --set entries merged over its body, as if its own declaration ended with them. */
function withOverrides(m: ResolvedModel, overrides: readonly SetOverride[]): ResolvedModel {
  let body = m.body;
  for (const o of overrides) if (o.block) body = mergeBlocks(body, o.block);
  return body === m.body ? m : { ...m, body };
}

/** One resolved model → checked IR, or undefined when a required key is missing (its diagnostics are in `bag`). */
export function buildCheckedModel(
  m: ResolvedModel,
  files: ReadonlyMap<string, Document>,
  bag: DiagnosticBag,
  termChecks: TermChecks,
): ModelIR | undefined {
  const own = files.get(m.file)?.models.find((d) => d.name.name === m.name)?.body.span;
  // an entry of a --set counts as written by the model itself: it is checked as strictly
  const isOwn = (s: Span): boolean =>
    isSetSource(s.file) ||
    (own !== undefined &&
      s.file === own.file &&
      s.start.offset >= own.start.offset &&
      s.end.offset <= own.end.offset);
  const values = readModel(m, bag, isOwn);
  checkBounds(values, bag); // first: a value no model can have counts as not written (and was reported)
  if (!hasRequired(m, values, modelSchema, "", bag)) return undefined;
  const model = buildModel({ name: m.name, file: m.file, chain: m.chain, nameSpan: m.nameSpan }, values);
  checkModel({ model, values, bag }, termChecks);
  return model;
}

/** One VFM2107 per section that lacks required keys; keys written with a rejected value were reported already. */
function hasRequired(
  m: ResolvedModel,
  values: SpecValues,
  section: SectionSpec,
  prefix: string,
  bag: DiagnosticBag,
): boolean {
  let ok = true;
  const missing: string[] = [];
  for (const k of section.keys) {
    const path = prefix ? `${prefix}.${k.key}` : k.key;
    if (k.section) ok = hasRequired(m, values, k.section, path, bag) && ok;
    else if (k.required && !values.has(path)) {
      ok = false;
      if (!values.invalid.has(path)) missing.push(k.key);
    }
  }
  if (missing.length > 0) {
    const paths = missing.map((k) => (prefix ? `${prefix}.${k}` : k)).join(", ");
    const example = missing.map((k) => `${k} …`).join(", ");
    bag.report("MissingRequiredKey", m.nameSpan, [
      m.name,
      paths,
      prefix ? `${prefix} { ${example} }` : example,
    ]);
  }
  return ok;
}

function sortUnique(ds: readonly Diagnostic[], fileOrder: readonly string[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = ds.filter((d) => {
    const key = `${d.code}|${d.span?.file}|${d.span?.start.offset}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (d: Diagnostic) => (d.span ? fileOrder.indexOf(d.span.file) : -1);
  return unique.sort(
    (a, b) => rank(a) - rank(b) || (a.span?.start.offset ?? 0) - (b.span?.start.offset ?? 0),
  );
}
