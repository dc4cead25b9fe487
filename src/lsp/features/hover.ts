// Hover: on a key or value, the key's documentation from the schema table, its kind and bounds, the value vfmc
// resolves for this model (after `extends` and defaults) and where it was written; on the backbone and head
// sections, parameter counts and tensor shapes; on a model name, its chain and size; on `extends` and imports,
// where they lead.
import { MarkupKind, type Hover } from "vscode-languageserver";
import * as path from "node:path";
import type { Span } from "../../diagnostics/diagnostic.js";
import type { ModelDecl, Value } from "../../lang/ast.js";
import { importTarget } from "../../lang/resolve.js";
import { keyAt } from "../../lang/schema/index.js";
import { locate, pathOf } from "../locate.js";
import { rangeOf } from "../positions.js";
import { kindText, resolvedValues, valueAt, valueText } from "../spec-text.js";
import type { Analysis } from "../workspace.js";
import { backboneSummary, modulesSummary, moduleSections, modelSummary } from "./model-costs.js";

export function hover(a: Analysis, offset: number): Hover | null {
  const at = locate(a.doc, offset);
  switch (at.kind) {
    case "key":
    case "value": {
      const last = at.entries[at.entries.length - 1]!;
      const text = keyHover(a, at.model, pathOf(at.entries), at.kind === "value" ? at.value : undefined);
      return text ? markdown(text, at.kind === "value" ? at.value.span : last.key.span) : null;
    }
    case "model":
      return markdown(modelHover(a, at.model), at.model.name.span);
    case "extends": {
      const parent = a.program().models.find((m) => m.name === at.parent.name);
      if (!parent) return null;
      return markdown(
        [
          `**model ${parent.name}** — ${where(a, parent.nameSpan)}`,
          "",
          `chain: ${parent.chain.join(" → ")}`,
        ].join("\n"),
        at.parent.span,
      );
    }
    case "import": {
      const target = importTarget(a.file, at.imp.path);
      const doc = a.program().files.get(target);
      const models = doc ? `models: ${doc.models.map((m) => m.name.name).join(", ") || "none"}` : "not found";
      return markdown(`\`${target}\`\n\n${models}`, at.imp.pathSpan);
    }
    default:
      return null;
  }
}

function markdown(value: string, span: Span): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range: rangeOf(span) };
}

function where(a: Analysis, span: Span): string {
  if (span.file === a.file) return `line ${span.start.line}`;
  return `${path.relative(path.dirname(a.file), span.file) || span.file}:${span.start.line}`;
}

function keyHover(
  a: Analysis,
  model: ModelDecl,
  keyPath: string,
  value: Value | undefined,
): string | undefined {
  const spec = keyAt(keyPath);
  if (!spec) return undefined;
  const lines = [`**${keyPath}** · ${spec.section ? "section" : kindText(spec)}`, "", spec.doc];
  const values = resolvedValues(a, model.name.name);
  const name = model.name.name;
  if (spec.section) {
    const variants = spec.section.variants ?? [];
    const variant = values?.variants.get(keyPath) ?? spec.section.defaultVariant;
    const v = variants.find((x) => x.name === variant);
    if (v) lines.push("", `kind in **${name}**: \`${v.name}\` — ${v.doc}`);
    if (variants.length > 1) lines.push("", `kinds: ${variants.map((x) => `\`${x.name}\``).join(", ")}`);
    // Every value of the section as this model resolves it: written here, inherited, or defaulted.
    const resolved = spec.section.keys
      .filter((k) => !k.section && (!v || v.keys.includes(k.key)))
      .flatMap((k) => {
        const value = values && valueAt(values, `${keyPath}.${k.key}`);
        return value === undefined ? [] : [`\`${k.key} ${valueText(value)}\``];
      });
    if (resolved.length) lines.push("", `resolved: ${resolved.join(", ")}`);
    const ir = a.models.find((m) => m.name === name);
    const costs =
      ir && keyPath === "backbone"
        ? backboneSummary(ir)
        : ir && moduleSections(ir).includes(keyPath)
          ? modulesSummary(ir, keyPath)
          : [];
    if (costs.length) lines.push("", ...costs);
    return lines.join("\n");
  }
  const resolved = values && valueAt(values, keyPath);
  if (resolved !== undefined) {
    const span = values?.spans.get(keyPath);
    const origin = values?.has(keyPath) && span ? `set at ${where(a, span)}` : "default";
    lines.push("", `value in **${name}**: \`${valueText(resolved)}\` (${origin})`);
  } else if (spec.required) lines.push("", `required: **${name}** does not set it`);
  if (spec.default !== undefined) lines.push("", `default: \`${valueText(spec.default)}\``);
  if (spec.values) lines.push("", `values: ${spec.values.map((v) => `\`${v}\``).join(", ")}`);
  if (value?.kind === "ident" && spec.values && !spec.values.includes(value.name))
    lines.push("", `\`${value.name}\` is not one of them`);
  return lines.join("\n");
}

function modelHover(a: Analysis, model: ModelDecl): string {
  const name = model.name.name;
  const resolved = a.program().models.find((m) => m.name === name && m.file === a.file);
  const lines = [`**model ${name}**`];
  if (resolved && resolved.chain.length > 1) lines.push("", `extends ${resolved.chain.slice(1).join(" → ")}`);
  const ir = a.models.find((m) => m.name === name);
  if (ir) lines.push("", ...modelSummary(ir));
  else lines.push("", "not checked: fix the errors in this model to see its size");
  return lines.join("\n");
}
