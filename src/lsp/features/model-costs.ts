// Parameter counts and tensor shapes for hovers on a model, its backbone and its heads. Counts come from
// src/ir/cost.ts and shapes from the lowering's own parameter records (the names and shapes the ONNX graphs and
// checkpoints use), so the editor never disagrees with `vfmc info` or the compiled graph.
import { backboneParams, costs, headParams } from "../../ir/cost.js";
import { gridOf, type ModelIR } from "../../ir/model.js";
import { backboneParamSpecs } from "../../lower/backbone/params.js";
import { DINO_HEAD, headParamSpecs, IBOT_HEAD } from "../../lower/heads/ibot.js";
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
    const name = p.name.replace(/(^|\.)blocks\.\d+\./, "$1blocks.i.");
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

/** `which`: "heads" (both), "dino" or "ibot". */
export function headsSummary(m: ModelIR, which: "heads" | "dino" | "ibot"): string[] {
  const D = m.backbone.dim;
  const specs = headParamSpecs(m.heads, D);
  const of = (module: string) => specs.filter((p) => p.name.startsWith(`${module}.`));
  if (which === "heads") {
    const p = costs(m).params;
    return [
      `**parameters** ${count(p.heads)}: DINO head ${count(p.dinoHead)}, iBOT head ${count(p.ibotHead)}`,
    ];
  }
  if (which === "ibot" && !m.heads.ibot) return ["iBOT is off (losses.ibot.weight 0): no head"];
  if (which === "ibot" && !m.heads.ibot?.separate)
    return ["**parameters** 0 of its own: iBOT uses the DINO head (`separate false`)"];
  const head = which === "dino" ? m.heads.dino : m.heads.ibot!;
  let shown = of(which === "dino" ? DINO_HEAD : IBOT_HEAD);
  const levels: string[] = [];
  if (head.nested > 1) {
    // Every level repeats the same modules at its own width; the full-width one stands for them all.
    const last = head.levels.length - 1;
    const level = new RegExp(`^[^.]+\\.[a-z_]+\\.${last}\\.`); // dino_head.mlps.4.0.weight: level 4, linear 0
    shown = shown.filter((p) => level.test(p.name));
    levels.push(
      `Matryoshka levels (width: prototypes): ${head.levels.map((l) => `${l.width}: ${l.prototypes}`).join(", ")}; shapes of level ${last}:`,
      "",
    );
  }
  return [`**parameters** ${count(headParams(head, D))}`, "", ...levels, ...shapeTable(shown)];
}
