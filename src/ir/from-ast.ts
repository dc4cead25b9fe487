// AST → SpecValues, driven by the schema tables: every entry of a (merged) model body is looked up in its
// section's table and converted to its kind. Reports unknown keys (with the nearest key in `data.suggestion` for
// quick fixes), duplicates (related → the first), wrong value kinds, unknown enum values, variants and units,
// and keys that do not apply to a section's variant. Duplicates are found on each declaration (not the merged
// body, which extends has already folded) by reportDuplicateKeys. A bad value is dropped, so the default stands in and later
// checks still run: one pass reports as much as it can.
import type { Block, Entry, Value } from "../lang/ast.js";
import type { DiagnosticBag, Span } from "../diagnostics/diagnostic.js";
import { modelSchema } from "../lang/schema/index.js";
import { isSameAs, type KeySpec, type SectionSpec } from "../lang/schema/types.js";
import { nearestName } from "../lang/nearest.js";
import { SpecValues, type ScheduleSpec, type SpecValue } from "./spec-values.js";

/** What the converter needs of a resolved model (src/lang/resolve.ts ResolvedModel fits). */
export interface ModelSource {
  readonly name: string;
  readonly nameSpan: Span;
  readonly file: string;
  readonly body: Block;
  readonly chain: readonly string[];
}

/**
 * `isOwn(span)`: whether an entry was written in this model's own declaration (not inherited). Inherited keys that
 * no longer apply after a variant change (`masking cyclic` over `masking block`) are dropped silently; written
 * ones are errors.
 */
export function readModel(
  model: ModelSource,
  bag: DiagnosticBag,
  isOwn: (s: Span) => boolean = () => true,
): SpecValues {
  const values = new SpecValues();
  readBlock(model.body, modelSchema, "", values, bag, isOwn);
  return values;
}

/** Hint text: "did you mean 'x'?" (the suggestion also goes to `data` for quick fixes) or what is accepted. */
function suggestionHint(
  word: string,
  candidates: readonly string[],
  what: string,
): { hint: string; suggestion?: string } {
  const s = nearestName(word, candidates);
  return s ? { hint: `did you mean '${s}'?`, suggestion: s } : { hint: `${what}: ${candidates.join(", ")}` };
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function readBlock(
  block: Block,
  section: SectionSpec,
  prefix: string,
  out: SpecValues,
  bag: DiagnosticBag,
  isOwn: (s: Span) => boolean,
  variant?: string,
): void {
  const seen = new Map<string, Entry>();
  const accepted = variant ? section.variants?.find((v) => v.name === variant)?.keys : undefined;
  const where = prefix || "the model";
  for (const entry of block.entries) {
    const key = entry.key.name;
    const spec = section.keys.find((k) => k.key === key);
    if (!spec) {
      const names = section.keys.filter((k) => !accepted || accepted.includes(k.key)).map((k) => k.key);
      const s = suggestionHint(key, names, `keys of ${where}`);
      bag.report(
        "UnknownKey",
        entry.key.span,
        [key, where, s.hint],
        s.suggestion ? { data: { suggestion: s.suggestion } } : {},
      );
      if (s.suggestion) out.invalid.add(join(prefix, s.suggestion));
      continue;
    }
    // a repeated key is reported once per declaration by reportDuplicateKeys; the first one counts (as in merging)
    if (seen.has(key)) continue;
    seen.set(key, entry);
    if (accepted && !accepted.includes(key)) {
      if (isOwn(entry.span))
        bag.report("KeyNotInVariant", entry.key.span, [
          key,
          section.name,
          variant ?? "",
          accepted.join(", ") || "no keys",
        ]);
      continue;
    }
    const path = join(prefix, key);
    if (spec.kind === "section") readSection(entry, spec, path, out, bag, isOwn);
    else readValue(entry, spec, path, out, bag);
  }
}

function readSection(
  entry: Entry,
  spec: KeySpec,
  path: string,
  out: SpecValues,
  bag: DiagnosticBag,
  isOwn: (s: Span) => boolean,
): void {
  const section = spec.section!;
  out.spans.set(path, entry.key.span);
  let variant: string | undefined;
  if (entry.value) {
    const names = section.variants?.map((v) => v.name) ?? [];
    const written = entry.value.kind === "ident" ? entry.value.name : undefined;
    if (written !== undefined && names.includes(written)) variant = written;
    else {
      const s =
        written !== undefined && names.length > 0
          ? suggestionHint(written, names, `kinds of ${path}`)
          : undefined;
      const hint =
        names.length === 0
          ? `${path} has no kinds; write \`${path} { … }\``
          : (s?.hint ?? `kinds of ${path}: ${names.join(", ")}`);
      bag.report(
        "UnknownVariant",
        entry.value.span,
        [path, written ?? describe(entry.value), hint],
        s?.suggestion ? { data: { suggestion: s.suggestion } } : {},
      );
    }
  }
  if (variant) out.variants.set(path, variant);
  if (entry.block) readBlock(entry.block, section, path, out, bag, isOwn, variant ?? section.defaultVariant);
  else if (!entry.value) bag.report("SectionNeedsBlock", entry.key.span, [entry.key.name]);
}

/** what each kind is called, and a value of that kind for keys with neither an example nor a default */
const kindWords: Record<string, [string, string]> = {
  int: ["an integer", "12"],
  number: ["a number", "0.4"],
  bool: ["true or false", "true"],
  enum: ["a name", "NAME"],
  range: ["a range lo .. hi", "0.32 .. 1.0"],
  list: ["a list [a, b, …]", "[0.485, 0.456, 0.406]"],
  schedule: ["a number or a schedule", "cosine 0.994 -> 1.0"],
  per_crop: ["a probability or [global1, global2, local]", "[0.0, 0.9, 0.5]"],
};

/** `key default` as a spec would write it, for hints; undefined when the default is not a plain value. */
function exampleOf(spec: KeySpec): string | undefined {
  if (spec.example !== undefined) return spec.example;
  const d = spec.default;
  if (d === undefined || isSameAs(d)) return undefined;
  if (Array.isArray(d)) return `${spec.key} [${d.join(", ")}]`;
  if (typeof d === "object" && "lo" in d) return `${spec.key} ${d.lo} .. ${d.hi}`;
  if (typeof d === "object" && "shape" in d) {
    const over = d.over ? ` over ${d.over.amount} ${d.over.unit}` : "";
    const warmup = d.warmup ? ` warmup ${d.warmup.amount} ${d.warmup.unit}` : "";
    return `${spec.key} ${d.shape === "linear" ? "" : `${d.shape} `}${d.from} -> ${d.to}${over}${warmup}`;
  }
  return `${spec.key} ${String(d)}`;
}

export function describe(v: Value): string {
  switch (v.kind) {
    case "number":
      return `the number ${v.text}`;
    case "string":
      return `the string "${v.value}"`;
    case "ident":
      return `the name '${v.name}'`;
    case "bool":
      return String(v.value);
    case "range":
      return "a range";
    case "list":
      return "a list";
    case "schedule":
      return "a schedule";
  }
}

function readValue(entry: Entry, spec: KeySpec, path: string, out: SpecValues, bag: DiagnosticBag): void {
  if (entry.block) {
    bag.report("KeyTakesNoBlock", entry.block.span, [entry.key.name]);
    out.invalid.add(path);
    return;
  }
  const v = entry.value;
  const wrongKind = (found: Value | undefined, span: Span): undefined => {
    const [what, generic] = kindWords[spec.kind] ?? [spec.kind, "…"];
    const example = exampleOf(spec) ?? `${spec.key} ${spec.values?.[0] ?? generic}`;
    bag.report("WrongValueKind", span, [path, what, found ? describe(found) : "nothing", example]);
    return undefined;
  };
  if (!v) {
    wrongKind(undefined, entry.key.span);
    out.invalid.add(path);
    return;
  }
  const value = convert(v, spec, path, out, bag, wrongKind);
  if (value === undefined) {
    out.invalid.add(path);
    return;
  }
  out.written.set(path, value);
  out.spans.set(path, v.span);
}

type WrongKind = (found: Value | undefined, span: Span) => undefined;

function convert(
  v: Value,
  spec: KeySpec,
  path: string,
  out: SpecValues,
  bag: DiagnosticBag,
  wrongKind: WrongKind,
): SpecValue | undefined {
  switch (spec.kind) {
    case "int":
      if (v.kind === "number" && Number.isInteger(v.value)) return v.value;
      return wrongKind(v, v.span);
    case "number":
      if (v.kind === "number") return v.value;
      return wrongKind(v, v.span);
    case "bool":
      if (v.kind === "bool") return v.value;
      return wrongKind(v, v.span);
    case "enum":
      return nameOf(v, spec, path, bag, wrongKind);
    case "range":
      if (v.kind === "number" && spec.single) {
        out.spans.set(`${path}.lo`, v.span);
        out.spans.set(`${path}.hi`, v.span);
        return { lo: v.value, hi: v.value };
      }
      if (v.kind !== "range") return wrongKind(v, v.span);
      out.spans.set(`${path}.lo`, v.lo.span);
      out.spans.set(`${path}.hi`, v.hi.span);
      return { lo: v.lo.value, hi: v.hi.value };
    case "per_crop":
      if (v.kind === "number") return v.value;
      if (v.kind === "list" && v.items.length === 3) return numbers(v.items, path, out, wrongKind);
      if (v.kind === "list") return void bag.report("WrongListLength", v.span, [path, 3, v.items.length]);
      return wrongKind(v, v.span);
    case "list": {
      if (v.kind !== "list") return wrongKind(v, v.span);
      if (typeof spec.length === "number" && v.items.length !== spec.length) {
        return void bag.report("WrongListLength", v.span, [path, spec.length, v.items.length]);
      }
      if (spec.items === "name") {
        const names: string[] = [];
        for (const [i, item] of v.items.entries()) {
          const n = nameOf(item, spec, path, bag, wrongKind);
          if (n === undefined) return undefined;
          out.spans.set(`${path}[${i}]`, item.span);
          names.push(n);
        }
        return names;
      }
      return numbers(v.items, path, out, wrongKind);
    }
    case "schedule":
      if (v.kind === "number") return v.value;
      if (v.kind !== "schedule") return wrongKind(v, v.span);
      return schedule(v, path, out, bag);
    case "section":
      return undefined;
  }
}

function numbers(
  items: readonly Value[],
  path: string,
  out: SpecValues,
  wrongKind: WrongKind,
): number[] | undefined {
  const result: number[] = [];
  for (const [i, item] of items.entries()) {
    if (item.kind !== "number") return wrongKind(item, item.span);
    out.spans.set(`${path}[${i}]`, item.span);
    result.push(item.value);
  }
  return result;
}

function nameOf(
  v: Value,
  spec: KeySpec,
  path: string,
  bag: DiagnosticBag,
  wrongKind: WrongKind,
): string | undefined {
  const written = v.kind === "ident" ? v.name : v.kind === "string" ? v.value : undefined;
  if (written === undefined) return wrongKind(v, v.span);
  const allowed = spec.values ?? [];
  if (allowed.includes(written)) return written;
  const s = suggestionHint(written, allowed, "expected one of");
  bag.report(
    "UnknownEnumValue",
    v.span,
    [path, written, s.hint],
    s.suggestion ? { data: { suggestion: s.suggestion } } : {},
  );
  return undefined;
}

function schedule(
  v: Extract<Value, { kind: "schedule" }>,
  path: string,
  out: SpecValues,
  bag: DiagnosticBag,
): ScheduleSpec | undefined {
  let shape: ScheduleSpec["shape"] = "linear";
  let ok = true;
  if (v.shape) {
    const n = v.shape.name;
    if (n === "linear" || n === "cosine" || n === "constant") shape = n;
    else {
      bag.report("UnknownScheduleShape", v.shape.span, [n]);
      ok = false;
    }
  }
  out.spans.set(`${path}.from`, v.from.span);
  out.spans.set(`${path}.to`, v.to.span);
  const duration = (d: typeof v.over, part: "over" | "warmup") => {
    if (!d) return undefined;
    out.spans.set(`${path}.${part}`, d.span);
    const unit = d.unit.name;
    if (unit !== "epochs" && unit !== "steps") {
      bag.report("UnknownUnit", d.unit.span, [unit]);
      ok = false;
      return undefined;
    }
    return { amount: d.amount.value, unit } as const;
  };
  const over = duration(v.over, "over");
  const warmup = duration(v.warmup, "warmup");
  if (!ok) return undefined;
  return {
    shape,
    from: v.from.value,
    to: v.to.value,
    ...(over ? { over } : {}),
    ...(warmup ? { warmup } : {}),
  };
}

/** VFM2102 for a key written twice in one block of one declaration; related → the first. */
export function reportDuplicateKeys(block: Block, where: string, bag: DiagnosticBag): void {
  const seen = new Map<string, Entry>();
  for (const entry of block.entries) {
    const first = seen.get(entry.key.name);
    if (first) {
      bag.report("DuplicateKey", entry.key.span, [entry.key.name, where], {
        related: [{ span: first.key.span, message: `'${entry.key.name}' is first set here` }],
      });
    } else seen.set(entry.key.name, entry);
    if (entry.block)
      reportDuplicateKeys(
        entry.block,
        where === "the model" ? entry.key.name : `${where}.${entry.key.name}`,
        bag,
      );
  }
}
