// A planar float RGB image, the unit every augmentation works on (layout as in data/dataset.ts: CHW, [0, 1]).
export interface Planar {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

export const CHANNELS = 3;

export function planar(width: number, height: number): Planar {
  return { data: new Float32Array(CHANNELS * width * height), width, height };
}

/** ITU-R 601-2 luma with torchvision's tensor coefficients (rgb_to_grayscale). */
export function luma(r: number, g: number, b: number): number {
  return 0.2989 * r + 0.587 * g + 0.114 * b;
}
