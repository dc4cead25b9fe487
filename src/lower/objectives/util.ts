// Small helpers the term files share.
import type { Schedule } from "../../ir/model.js";
import { formatNumber } from "../../ir/print.js";

/** A per-level state name: `base` for a single level, `base.<l>` with nested heads. */
export function levelName(base: string, level: number, levels: number): string {
  return levels > 1 ? `${base}.${level}` : base;
}

/** four significant digits, person-style */
export function n4(n: number): string {
  return formatNumber(Number(n.toPrecision(4)));
}

/** A schedule as `vfmc info` prints it. */
export function formatSchedule(s: Schedule): string {
  const warm = s.warmupSteps > 0 ? `, warmup ${s.warmupSteps} steps` : "";
  return s.shape === "constant"
    ? n4(s.from)
    : `${s.shape} ${n4(s.from)} → ${n4(s.to)} over ${s.overSteps} steps${warm}`;
}
