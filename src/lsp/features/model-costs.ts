// Parameter counts and tensor shapes for hovers on a model, its backbone and the modules of its loss terms (heads,
// decoders). Counts come from the cost model (src/lower/cost.ts) and shapes from the lowering's own parameter records
// (the names and shapes the ONNX graphs and checkpoints use), so the editor never disagrees with `vfmc info` or the
// compiled graph.
import { backboneParams } from "../../ir/cost.js";
import { gridOf, type ModelIR } from "../../ir/model.js";
import { backboneParamSpecs } from "../../lower/backbone/params.js";
import { costs } from "../../lower/cost.js";
import { modelHeadSpecs } from "../../lower/objectives/index.js";
import type { ParamSpec } from "../../lower/params.js";

const MAX_ROWS = 24;

export function count(n: number): string {
  const m =
    n >= 1e9
      ? `${(n / 1e9).toFixed(2)} B`
      : n >= 1e6
        ? `${(n / 1e6).toFixed(2)} M`
        : n >= 1e3
          ? `${(n / 1e3).toFixed(1)} K`
          : String(n);
  return `${n.toLocaleString("en-US")} (${m})`;
}

function shape(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/** A markdown table of parameter shapes; `blocks.0.x`, `blocks.1.x`, … fold into one `blocks.i.x` row. */
function shapeTable(specs: readonly ParamSpec[]): string[] {
  const rows = new Map<string, { shape: string; times: number }>();
  for (const p of specs) {
    const name = p.name.replace(/(^|\.|_)blocks\.\d+\./, "$1blocks.i.");
    const row = rows.get(name);
    if (row) row.times++;
    else rows.set(name, { shape: shape(p.shape), times: 1 });
  }
  const lines = ["| tensor | shape |", "|---|---|"];
  const all = [...rows];
  for (const [name, r] of all.slice(0, MAX_ROWS))
    lines.push(`| \`${name}\`${r.times > 1 ? ` ×${r.times}` : ""} | ${r.shape} |`);
  if (all.length > MAX_ROWS) lines.push(`| … ${all.length - MAX_ROWS} more | |`);
  return lines;
}

function tokens(m: ModelIR, size: number): string {
  const g = gridOf(size, m.backbone.patch);
  return `[B, ${1 + m.backbone.registers + g * g}, ${m.backbone.dim}]`;
}

export function modelSummary(m: ModelIR): string[] {
  const p = costs(m).params;
  return [
    `**parameters** ${count(p.total)}: backbone ${count(p.backbone)}, heads ${count(p.heads)}`,
    "",
    `ViT ${m.backbone.dim}×${m.backbone.depth}, ${m.backbone.heads} heads, patch ${m.backbone.patch}, ffn ${m.backbone.ffn}`,
  ];
}

export function backboneSummary(m: ModelIR): string[] {
  const specs = backboneParamSpecs(m.backbone, { channels: m.input.channels });
  const { global, local } = m.crops;
  return [
    `**parameters** ${count(backboneParams(m))}`,
    "",
    `tokens (CLS, ${m.backbone.registers} registers, patches): global crop ${global.size} px → ${tokens(m, global.size)}` +
      (local.count > 0 ? `, local crop ${local.size} px → ${tokens(m, local.size)}` : "") +
      `, export ${m.export.resolution} px → ${tokens(m, m.export.resolution)}`,
    "",
    ...shapeTable(specs),
  ];
}

/** The spec sections that configure a module of the model's loss terms, and `heads` (all of them). */
export function moduleSections(m: ModelIR): string[] {
  return ["heads", ...costs(m).params.modules.map((h) => h.section)];
}

/** Hover lines for `heads` (every module) or the section of one module (`heads.dino`, `decoder`). */
export function modulesSummary(m: ModelIR, section: string): string[] {
  const p = costs(m).params;
  if (section === "heads")
    return [
      `**parameters** ${count(p.heads)}: ${p.modules.map((h) => `${h.module} ${count(h.params)}`).join(", ")}`,
    ];
  const module = p.modules.find((h) => h.section === section);
  if (!module) return [];
  if (module.params === 0) return [`**parameters** 0 of its own: ${module.note ?? "none"}`];
  let shown = modelHeadSpecs(m).filter((s) => s.group === module.module);
  const levels: string[] = [];
  const head = module.head;
  if (head && head.nested > 1) {
    // Every level repeats the same modules at its own width; the full-width one stands for them all.
    const last = head.levels.length - 1;
    const level = new RegExp(`^[^.]+\\.[a-z_]+\\.${last}\\.`); // dino_head.mlps.4.0.weight: level 4, linear 0
    shown = shown.filter((s) => level.test(s.name));
    levels.push(
      `Matryoshka levels (width: prototypes): ${head.levels.map((l) => `${l.width}: ${l.prototypes}`).join(", ")}; shapes of level ${last}:`,
      "",
    );
  }
  return [`**parameters** ${count(module.params)}`, "", ...levels, ...shapeTable(shown)];
}
