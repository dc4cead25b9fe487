// Shape checks (VFM3003–3006, 3009): divisibility the ViT and the Matryoshka heads need.
import { spanOf } from "../model.js";
import type { CheckContext } from "./context.js";

function divisorsNear(dim: number, heads: number): number {
  let best = 1;
  for (let h = 1; h <= dim; h++) if (dim % h === 0 && Math.abs(h - heads) < Math.abs(best - heads)) best = h;
  return best;
}

export function checkShapes({ model, values, bag }: CheckContext): void {
  const b = model.backbone;
  if (b.heads >= 1 && b.dim % b.heads !== 0) {
    bag.report("DimNotDivisibleByHeads", spanOf(model, "backbone.heads"), [
      b.dim,
      b.heads,
      divisorsNear(b.dim, b.heads),
    ]);
  }
  const sizes: [string, string, number][] = [
    ["input.size", "input.size", model.input.size],
    ["crops.global.size", "global crop size", model.crops.global.size],
    ...(model.crops.local.count > 0
      ? ([["crops.local.size", "local crop size", model.crops.local.size]] as [string, string, number][])
      : []),
    ["export.resolution", "export.resolution", model.export.resolution],
  ];
  for (const [path, what, size] of sizes) {
    if (b.patch < 1 || size % b.patch === 0) continue;
    const lower = Math.floor(size / b.patch) * b.patch;
    const said = values.has(path) ? what : `${what} (the default)`;
    bag.report("SizeNotMultipleOfPatch", spanOf(model, path), [
      said,
      size,
      b.patch,
      lower || b.patch,
      lower + b.patch,
    ]);
  }
  const heads = [
    ["dino", model.heads.dino] as const,
    ...(model.heads.ibot?.separate ? [["ibot", model.heads.ibot] as const] : []),
  ];
  for (const [name, head] of heads) {
    const divisor = 2 ** (head.nested - 1);
    if (b.dim % divisor !== 0) {
      let max = 1;
      while (b.dim % 2 ** max === 0) max++;
      bag.report("NestedLevelsDoNotDivide", spanOf(model, `heads.${name}.nested`), [
        name,
        head.nested,
        b.dim,
        divisor,
        max,
      ]);
      continue;
    }
    const narrow = head.levels[0];
    if (narrow && narrow.prototypes < 1) {
      bag.report("LevelWithoutPrototypes", spanOf(model, `heads.${name}.prototypes`), [
        name,
        narrow.width,
        narrow.prototypes,
        b.dim,
        Math.ceil(b.dim / narrow.width),
      ]);
    }
  }
  for (const key of ["mean", "std"] as const) {
    const n = model.input[key].length;
    if (n !== model.input.channels)
      bag.report("ChannelsMismatch", spanOf(model, `input.${key}`), [key, n, model.input.channels]);
  }
  model.input.std.forEach((s, i) => {
    if (s <= 0)
      bag.report("ValueOutOfRange", spanOf(model, `input.std[${i}]`), [
        `input.std[${i}]`,
        s,
        "> 0",
        "input.std divides the input",
      ]);
  });
}
