// A projection head as `vfmc info` describes it: one recipe line, and its JSON entry.
import type { Head } from "../../ir/model.js";

export function headInfo(h: Head): string {
  const levels = h.nested > 1 ? `${h.nested} nested levels ${h.levels.map((l) => l.width).join("/")}, ` : "";
  return `${levels}${h.layers} layers, hidden ${h.hidden}, bottleneck ${h.bottleneck}, ${h.prototypes} prototypes${h.l2norm ? ", l2-normalised" : ""}`;
}

export function headJson(h: Head) {
  return {
    prototypes: h.prototypes,
    nested: h.nested,
    hidden: h.hidden,
    bottleneck: h.bottleneck,
    layers: h.layers,
    levels: h.levels,
  };
}
