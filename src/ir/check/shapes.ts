// Shape checks (VFM3003, 3004, 3009, 3106): divisibility the ViT needs. The heads' (VFM3005, 3006) are their loss terms'.
import { spanOf } from "../model.js";
import type { CheckContext } from "./context.js";

/** The divisor of dim nearest to heads (the smaller on a tie), searched outwards from heads. */
function divisorsNear(dim: number, heads: number): number {
  for (let d = 1; d < heads; d++) {
    if (dim % (heads - d) === 0) return heads - d;
    if (heads + d <= dim && dim % (heads + d) === 0) return heads + d;
  }
  return 1;
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
  if (b.posEmbed === "sincos" && b.dim % 4 !== 0)
    bag.report("SincosDimNotDivisibleBy4", spanOf(model, "backbone.pos_embed"), ["backbone.dim", b.dim]);
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
