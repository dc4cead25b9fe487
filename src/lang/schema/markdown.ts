// docs/language.md, printed from the schema tables: every section, variant and key with kind, bounds, default,
// unit and meaning. The file is a golden baseline (test/ir/language-doc.test.ts), never edited by hand.
import { modelSchema } from "./index.js";
import {
  isSameAs,
  type DefaultValue,
  type KeySpec,
  type ScheduleDefault,
  type SectionSpec,
} from "./types.js";

function scheduleText(s: ScheduleDefault): string {
  const shape = s.shape === "linear" ? "" : `${s.shape} `;
  const over = s.over ? ` over ${s.over.amount} ${s.over.unit}` : "";
  const warmup = s.warmup ? ` warmup ${s.warmup.amount} ${s.warmup.unit}` : "";
  return `${shape}${s.from} -> ${s.to}${over}${warmup}`;
}

export function defaultText(d: DefaultValue | undefined): string {
  if (d === undefined) return "—";
  if (isSameAs(d)) return `same as \`${d.sameAs}\``;
  if (Array.isArray(d)) return `\`[${d.join(", ")}]\``;
  if (typeof d === "object" && "lo" in d) return `\`${d.lo} .. ${d.hi}\``;
  if (typeof d === "object" && "shape" in d) return `\`${scheduleText(d)}\``;
  return `\`${typeof d === "number" && d !== 0 && Math.abs(d) < 1e-3 ? d.toExponential() : String(d)}\``;
}

function kindText(k: KeySpec): string {
  if (k.kind === "enum") return `one of ${(k.values ?? []).map((v) => `\`${v}\``).join(", ")}`;
  if (k.kind === "list" && k.items === "name")
    return `list of ${(k.values ?? []).map((v) => `\`${v}\``).join(", ")}`;
  if (k.kind === "list")
    return `list of numbers${k.length !== undefined ? ` (${k.length === "channels" ? "one per channel" : `${k.length}`})` : ""}`;
  if (k.kind === "per_crop") return "probability or `[global1, global2, local]`";
  if (k.kind === "range" && k.single) return "range, or one number `x` for `x .. x`";
  return k.kind;
}

function boundsText(k: KeySpec): string {
  const lo = k.min === undefined ? "" : `${k.minExclusive ? ">" : "≥"} ${k.min}`;
  const hi = k.max === undefined ? "" : `≤ ${k.max}`;
  return [lo, hi].filter(Boolean).join(", ") || "—";
}

function section(s: SectionSpec, path: string, depth: number, out: string[]): void {
  out.push(`${"#".repeat(depth)} \`${path}\``, "", s.doc, "");
  if (s.variants) {
    out.push("| kind | keys | meaning |", "|---|---|---|");
    for (const v of s.variants) {
      const dflt = v.name === s.defaultVariant ? " (default)" : "";
      out.push(
        `| \`${path} ${v.name}\`${dflt} | ${v.keys.map((k) => `\`${k}\``).join(", ") || "—"} | ${v.doc} |`,
      );
    }
    out.push("");
  }
  const values = s.keys.filter((k) => k.kind !== "section");
  if (values.length > 0) {
    out.push("| key | kind | bounds | default | unit | meaning |", "|---|---|---|---|---|---|");
    for (const k of values) {
      const req = k.required ? " **(required)**" : "";
      out.push(
        `| \`${k.key}\`${req} | ${kindText(k)} | ${boundsText(k)} | ${defaultText(k.default)} | ${k.unit ?? ""} | ${k.doc} |`,
      );
    }
    out.push("");
  }
  for (const k of s.keys) if (k.section) section(k.section, `${path}.${k.key}`, Math.min(depth + 1, 4), out);
}

export function languageReference(): string {
  const out = [
    "# The .vfm language: sections and keys",
    "",
    "<!-- Generated from src/lang/schema/*.ts by `npm run baselines:accept`; do not edit by hand. -->",
    "",
    'A spec is a list of `import "file.vfm"` lines and `model NAME (extends PARENT)? { … }` blocks. Entries are',
    "`key value`, `key { … }` or `key kind { … }`, separated by commas or newlines; `//` starts a comment.",
    "Values: numbers (`5e-4`), names (`swiglu`), `true`/`false`, strings, ranges `lo .. hi` (inclusive), lists",
    "`[a, b]` and schedules `shape? from -> to (over N epochs|steps)? (warmup N epochs|steps)?` — linear when the",
    "shape is left out, over the whole run when `over` is; warmup ramps linearly from 0. A number where a schedule",
    "is expected is constant. `extends` merges the child into the parent key by key; a new kind (`masking cyclic`",
    "over `masking block`) keeps the inherited keys that still apply.",
    "",
    "Section numbers (§n) refer to [reference.md](reference.md): what DINOv2 and Franca compute, with the upstream files.",
    "",
  ];
  for (const k of modelSchema.keys) if (k.section) section(k.section, k.key, 2, out);
  return out.join("\n");
}
