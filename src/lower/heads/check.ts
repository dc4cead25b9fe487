// Checks of a projection head section (`heads.dino`, `heads.ibot`): Matryoshka widths that divide the backbone
// (VFM3005), levels with at least one prototype (VFM3006), and MRL-only options on a plain head (VFM3020).
import type { CheckContext } from "../../ir/check/context.js";
import { spanOf, type Head } from "../../ir/model.js";

/** The shape checks of `heads.<name>` (run with the checker's shape family, before schedules and consistency). */
export function checkHeadShapes({ model, bag }: CheckContext, name: string, head: Head): void {
  const dim = model.backbone.dim;
  const divisor = 2 ** (head.nested - 1);
  if (dim % divisor !== 0) {
    let max = 1;
    while (dim % 2 ** max === 0) max++;
    bag.report("NestedLevelsDoNotDivide", spanOf(model, `heads.${name}.nested`), [
      name,
      head.nested,
      dim,
      divisor,
      max,
    ]);
    return;
  }
  const narrow = head.levels[0];
  if (narrow && narrow.prototypes < 1) {
    bag.report("LevelWithoutPrototypes", spanOf(model, `heads.${name}.prototypes`), [
      name,
      narrow.width,
      narrow.prototypes,
      dim,
      Math.ceil(dim / narrow.width),
    ]);
  }
}

/** Options that only Franca's nested heads use, set on a plain head. */
export function checkHeadOptions({ model, bag }: CheckContext, name: string, head: Head): void {
  if (head.geluAfterBottleneck && head.nested === 1)
    bag.report("NotNestedButMrlOptions", spanOf(model, `heads.${name}.gelu_after_bottleneck`), [name]);
}
