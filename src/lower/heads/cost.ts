// Parameter counts and FLOPs of a projection head (reference §2.1, §2.2), for `vfmc info` and the editor. A nested
// (Matryoshka) head counts every level with its F+ projection Linear(d→d) on the first d channels; the last layer is
// weight-normed: weight_v [K, bot] + weight_g [K, 1]. FLOPs count the matrix products at 2 per multiply-add.
import type { Head } from "../../ir/model.js";

/** Weights of the MLP from `width` to the bottleneck: Linear(in→hid), (layers−2)×Linear(hid→hid), Linear(hid→bot). */
function mlpLinears(h: Head, width: number): [number, number][] {
  if (h.layers === 1) return [[width, h.bottleneck]];
  return [
    [width, h.hidden],
    ...Array.from({ length: h.layers - 2 }, (): [number, number] => [h.hidden, h.hidden]),
    [h.hidden, h.bottleneck],
  ];
}

/** Parameters of a head (all levels). */
export function headParams(h: Head, dim: number): number {
  let n = 0;
  for (const level of h.levels) {
    const width = h.nested > 1 ? level.width : dim;
    if (h.nested > 1) n += width * width + width; // F+ projection on the first d channels
    for (const [i, o] of mlpLinears(h, width)) n += i * o + o;
    n += level.prototypes * h.bottleneck + level.prototypes;
  }
  return n;
}

/** FLOPs of a head on one token (2 per weight of every linear). */
export function headFlops(h: Head, dim: number): number {
  let n = 0;
  for (const level of h.levels) {
    const width = h.nested > 1 ? level.width : dim;
    if (h.nested > 1) n += 2 * width * width;
    for (const [i, o] of mlpLinears(h, width)) n += 2 * i * o;
    n += 2 * level.prototypes * h.bottleneck;
  }
  return n;
}
