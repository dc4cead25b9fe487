// What a checkpoint holds against what a model needs, for `vfmc info --weights`: the same key surgery as loading
// (weights.ts, reference §12.8) and the same parameter records as lowering, so the report and a later compile or
// run agree on every name and shape. Pure data in, data out; the CLI reads the file and prints.
import { STEP } from "./contract.js";
import { TRAINING_MODULES } from "./objectives/index.js";
import { DiagnosticBag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ModelIR } from "../ir/model.js";
import { backboneMaskToken, backboneParamSpecs } from "./backbone/params.js";
import type { WeightsFile } from "./compile.js";
import { canonicalKey, normaliseCheckpoint, type WeightTensor } from "./weights.js";

export interface NamedShape {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface MisShaped {
  readonly name: string;
  readonly checkpoint: readonly number[];
  readonly model: readonly number[];
}

export interface GridHandling {
  /** M of the checkpoint's pos_embed (null when it has none) */
  readonly checkpoint: number | null;
  readonly spec: number;
  /** export resolution / patch: the grid the inference graph resamples to */
  readonly export: number;
  readonly text: string;
}

export interface WeightsReport {
  readonly file: string;
  readonly model: string;
  /** tensors in the file(s), before key surgery */
  readonly tensors: number;
  /** what the key surgery did: prefixes stripped, chunked blocks flattened, student copy ignored */
  readonly surgery: readonly string[];
  /** backbone tensors the model needs (mask_token counts only when the file has it) */
  readonly needed: number;
  /** canonical names bound to a model parameter with the right shape */
  readonly matched: readonly string[];
  readonly missing: readonly NamedShape[];
  readonly misShaped: readonly MisShaped[];
  /** tensors whose dtype cannot be a weight (integers, bools) */
  readonly badDtype: readonly { readonly name: string; readonly dtype: string }[];
  /** backbone-like tensors the model does not declare */
  readonly unexpected: readonly string[];
  /** training-only modules dropped by the surgery: module → tensor count */
  readonly dropped: Readonly<Record<string, number>>;
  /** RASA projections found (pre_pos_layers then pos_pred), null when none */
  readonly rasa: { readonly projections: number; readonly used: boolean } | null;
  readonly grid: GridHandling;
  /** every tensor the model needs is present with its shape and a float dtype */
  readonly ok: boolean;
}

/**
 * Modules of training checkpoints that inference drops (§12.8), and the optimiser state and step counter of vfmc's
 * own checkpoints; the group is the reported module name.
 */
const DROPPED = new RegExp(`^(${TRAINING_MODULES.join("|")})(?:\\.|$)|^(${STEP})$`);
const RASA = /^(?:rasa_head\.)?(?:pre_pos_layers\.\d+|pos_pred)\.weight$/;

const FLOAT_DTYPES = new Set(["F32", "F64", "F16", "BF16"]);

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function surgeryOf(keys: readonly string[]): string[] {
  const out: string[] = [];
  const isStudent = (k: string): boolean => /^(?:module\.)?student\./.test(k);
  const hasTeacher = keys.some((k) => /^(?:module\.)?teacher\./.test(k));
  const prefixes = new Set<string>();
  for (const k of keys) {
    if (hasTeacher && isStudent(k)) continue;
    for (
      let rest = k, m;
      (m = /^(module|teacher|student|backbone)\./.exec(rest));
      rest = rest.slice(m[0].length)
    )
      prefixes.add(m[0]);
  }
  if (prefixes.size > 0) out.push(`prefixes ${[...prefixes].sort().join(", ")} stripped`);
  const chunked = keys.filter((k) => !(hasTeacher && isStudent(k)) && /(?:^|\.)blocks\.\d+\.\d+\./.test(k));
  if (chunked.length > 0)
    out.push(`chunked blocks.{c}.{i} flattened to blocks.{i} (${chunked.length} tensors)`);
  const student = hasTeacher ? keys.filter(isStudent).length : 0;
  if (student > 0)
    out.push(`student.* ignored (${student} tensors): the teacher is what DINOv2 and Franca release`);
  if (out.length === 0) out.push("none needed (flat hub layout)");
  return out;
}

function gridHandling(ir: ModelIR, m: number | null): GridHandling {
  const bb = ir.backbone;
  const g = Math.floor(ir.export.resolution / bb.patch);
  const how = `${bb.interpolate}${bb.interpolateOffset !== 0 ? `, offset ${bb.interpolateOffset}` : ""}`;
  let text: string;
  if (m === null) text = "the checkpoint has no pos_embed";
  else if (m === bb.posGrid)
    text =
      m === g
        ? `pos_embed ${m}×${m} in the checkpoint and the spec: used as is at ${ir.export.resolution} px`
        : `pos_embed ${m}×${m} in the checkpoint and the spec: interpolated at run time to ${g}×${g} (${how})`;
  else
    text =
      `pos_embed ${m}×${m} in the checkpoint, spec ${bb.posGrid}×${bb.posGrid}: the checkpoint's grid is kept` +
      (m === g
        ? ` and used as is at ${ir.export.resolution} px`
        : `, interpolated at run time to ${g}×${g} (${how})`);
  return { checkpoint: m, spec: bb.posGrid, export: g, text };
}

/**
 * Compares checkpoints with the backbone (and RASA head) of `ir`. Several files merge as `--weights` merges them
 * when compiling (each normalised, later files overriding earlier keys: e.g. a backbone, then a RASA asset).
 */
export function weightsReport(ir: ModelIR, files: readonly WeightsFile[]): WeightsReport {
  const canon = new Map<string, WeightTensor>();
  for (const f of files) for (const [k, t] of normaliseCheckpoint(f.tensors)) canon.set(k, t);
  const surgery = files.flatMap((f) =>
    surgeryOf([...f.tensors.keys()]).map((x) => (files.length > 1 ? `${f.file}: ${x}` : x)),
  );
  const pe = canon.get("pos_embed");
  const rows = pe && pe.shape.length === 3 ? (pe.shape[1] ?? 1) - 1 : -1;
  const side = Math.round(Math.sqrt(rows));
  const m = side * side === rows && rows > 0 ? side : null;
  const bb = m === null ? ir.backbone : { ...ir.backbone, posGrid: m };
  const specs = backboneParamSpecs(bb, { channels: ir.input.channels, maskToken: backboneMaskToken(ir) });
  // a fixed sin-cos table (MAE) is recomputed, never read: the checkpoint's copy is training state to the model
  const fixedTables = bb.posEmbed === "sincos" ? new Set(["pos_embed"]) : new Set<string>();
  const matched: string[] = [];
  const missing: NamedShape[] = [];
  const misShaped: MisShaped[] = [];
  const badDtype: { name: string; dtype: string }[] = [];
  const used = new Set<string>();
  for (const s of specs) {
    const name = canonicalKey(s.name);
    const t = canon.get(name);
    // mask_token only feeds the masked student: optional for inference, loaded when present
    if (!t) {
      if (!name.endsWith("mask_token")) missing.push({ name, shape: s.shape });
      continue;
    }
    used.add(name);
    if (!sameShape(t.shape, s.shape)) misShaped.push({ name, checkpoint: t.shape, model: s.shape });
    else if (!FLOAT_DTYPES.has(t.dtype)) badDtype.push({ name, dtype: t.dtype });
    else matched.push(name);
  }
  const backboneMisShaped = misShaped.length;
  const dropped: Record<string, number> = {};
  const unexpected: string[] = [];
  let rasaCount = 0;
  for (const [name, t] of canon) {
    if (used.has(name)) continue;
    const drop = DROPPED.exec(name);
    const module = fixedTables.has(name) ? name : drop ? (drop[1] ?? drop[2]!) : undefined;
    if (module) dropped[module] = (dropped[module] ?? 0) + 1;
    else if (RASA.test(name)) {
      rasaCount++;
      const want = [2, ir.backbone.dim];
      if (!sameShape(t.shape, want)) misShaped.push({ name, checkpoint: t.shape, model: want });
    } else unexpected.push(name);
  }
  const rasaWanted = ir.export.outputs.includes("patch_tokens_rasa");
  return {
    file: files.map((f) => f.file).join(" + "),
    model: ir.name,
    tensors: files.reduce((a, f) => a + f.tensors.size, 0),
    surgery,
    needed: matched.length + missing.length + badDtype.length + backboneMisShaped,
    matched,
    missing,
    misShaped,
    badDtype,
    unexpected,
    dropped,
    rasa: rasaCount > 0 ? { projections: rasaCount, used: rasaWanted } : null,
    grid: gridHandling(ir, m),
    ok: missing.length === 0 && misShaped.length === 0 && badDtype.length === 0,
  };
}

const LIST_MAX = 12;

function listed<T>(items: readonly T[], line: (x: T) => string): string[] {
  const out = items.slice(0, LIST_MAX).map((x) => `    ${line(x)}`);
  if (items.length > LIST_MAX) out.push(`    … and ${items.length - LIST_MAX} more (--json lists all)`);
  return out;
}

const shape = (s: readonly number[]): string => `[${s.join(", ")}]`;

export function weightsReportText(r: WeightsReport): string {
  const dropped = Object.entries(r.dropped);
  const lines = [
    `weights ${r.file} → model ${r.model}`,
    `  tensors      ${r.tensors} in the file`,
    `  key surgery  ${r.surgery.join("; ")}`,
    `  matched      ${r.matched.length} of ${r.needed} backbone tensors the model needs`,
    `  missing      ${r.missing.length}`,
    ...listed(r.missing, (x) => `${x.name}  model ${shape(x.shape)}`),
    `  mis-shaped   ${r.misShaped.length}`,
    ...listed(r.misShaped, (x) => `${x.name}  checkpoint ${shape(x.checkpoint)}, model ${shape(x.model)}`),
    ...(r.badDtype.length > 0
      ? [`  bad dtype    ${r.badDtype.length}`, ...listed(r.badDtype, (x) => `${x.name}  ${x.dtype}`)]
      : []),
    `  unexpected   ${r.unexpected.length}${r.unexpected.length > 0 ? " (ignored: the spec does not declare them)" : ""}`,
    ...listed(r.unexpected, (x) => x),
    `  dropped      ${dropped.length === 0 ? "none" : dropped.map(([k, n]) => `${k}${k === "step" ? "" : ".*"} (${n})`).join(", ")}${dropped.length > 0 ? ": training-only state" : ""}`,
    `  rasa head    ${r.rasa ? `${r.rasa.projections} projections [2, D], ${r.rasa.used ? "folded into patch_tokens_rasa" : "not used (export.outputs has no patch_tokens_rasa)"}` : "none"}`,
    `  positions    ${r.grid.text}`,
    r.ok
      ? "  ok: every tensor the model needs is present with its shape"
      : "  not loadable: tensors the model needs are missing or mis-shaped",
  ];
  return lines.join("\n");
}

/** The report's problems as the diagnostics a compile with these weights would raise (VFM4001–4003, 4006). */
export function weightsReportDiagnostics(r: WeightsReport): Diagnostic[] {
  const bag = new DiagnosticBag();
  for (const x of r.missing)
    bag.report("WeightsMissingTensor", undefined, [r.file, x.name, x.shape.join(", ")]);
  for (const x of r.misShaped) {
    if (RASA.test(x.name))
      bag.report("RasaBadShape", undefined, [r.file, x.name, x.checkpoint.join(", "), x.model[1] ?? 0]);
    else
      bag.report("WeightsShapeMismatch", undefined, [
        r.file,
        x.name,
        x.checkpoint.join(", "),
        x.model.join(", "),
      ]);
  }
  for (const x of r.badDtype) bag.report("WeightsBadDtype", undefined, [r.file, x.name, x.dtype]);
  return bag.items;
}
