// The mask generator a `.vfm` `masking` section names (`masking block { … }` / `masking cyclic { … }`), for global
// crops of `imageSize` px cut into `patch` px patches.
import { BlockMaskGenerator, dinov2MaxNumPatches } from "./block.js";
import { CyclicMaskGenerator } from "./cyclic.js";
import type { MaskGenerator } from "./generator.js";

export function createMaskGenerator(
  kind: "block" | "cyclic",
  imageSize: number,
  patch: number,
): MaskGenerator {
  const grid = Math.floor(imageSize / patch);
  // min_aspect 0.3 in both repos (§4.2, §4.3)
  return kind === "block"
    ? new BlockMaskGenerator({
        gridH: grid,
        gridW: grid,
        minAspect: 0.3,
        maxNumPatches: dinov2MaxNumPatches(imageSize, patch),
      })
    : new CyclicMaskGenerator({ gridH: grid, gridW: grid, minAspect: 0.3 });
}
