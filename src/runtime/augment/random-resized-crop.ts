// torchvision RandomResizedCrop.get_params (§5): up to 10 tries of (area fraction ~ U(scale), log aspect ~ U(log ratio));
// sides are `int(round(·))` with Python's half-to-even rounding; a try is kept when the box fits; otherwise the
// fallback is a centre crop with the aspect clamped into the ratio range.
import { roundHalfEven } from "../masks/block.js";
import type { Rng } from "../rng.js";
import type { Box } from "./resample.js";

/** torchvision's default ratio range (3/4, 4/3), used by DINOv2 and Franca. */
export const DEFAULT_RATIO: readonly [number, number] = [3 / 4, 4 / 3];

export function sampleCropBox(
  width: number,
  height: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): Box {
  const area = width * height;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const y = rng.int(0, height - h);
      const x = rng.int(0, width - w);
      return { x, y, width: w, height: h };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(ratio[0], ratio[1])) h = roundHalfEven(w / Math.min(ratio[0], ratio[1]));
  else if (inRatio > Math.max(ratio[0], ratio[1])) w = roundHalfEven(h * Math.max(ratio[0], ratio[1]));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}
