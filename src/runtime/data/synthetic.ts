// The embedded default dataset: ten classes of procedurally drawn shapes and textures, generated on the fly and
// deterministic from (seed, split, index) — nothing to download, any size. Nuisances (colours, position, scale,
// rotation, background gradient and noise) vary so much that raw pixels are a weak feature (kNN on pixels is far
// from perfect) while the class is obvious to a model that learns shape: a fair, fast smoke test for SSL.
import { DiagnosticError, InternalError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { Rng } from "../rng.js";
import { memoryDataset, type MemorySource, type ImageSample, type MemoryDataset } from "./dataset.js";

export const SYNTHETIC_CLASSES = [
  "disc",
  "square",
  "triangle",
  "ring",
  "cross",
  "stripes-horizontal",
  "stripes-vertical",
  "checker",
  "blob",
  "star",
] as const;

export interface SyntheticOptions {
  readonly seed?: number;
  /** image side in pixels (default 32, the franca-tiny example's global crop size) */
  readonly size?: number;
  readonly trainSize?: number;
  readonly testSize?: number;
}

export const SYNTHETIC_DEFAULTS = { seed: 0, size: 32, trainSize: 5000, testSize: 1000 } as const;

const SUB = 3; // 3×3 supersampling per pixel for anti-aliased edges
const CACHE_BYTES = 256 * 1024 * 1024; // per split
const JITTER = 0.15; // centre offset, as a fraction of the image side

// Inside tests in shape coordinates (unit radius, centred, already rotated). Polygons are flat [x0, y0, x1, y1, …]
// arrays with every vertex inside the unit circle, so points outside it are rejected before the edge walk.
function polygon(vertices: number, radius: (k: number) => number): Float64Array {
  const out = new Float64Array(2 * vertices);
  for (let k = 0; k < vertices; k++) {
    const a = -Math.PI / 2 + (2 * k * Math.PI) / vertices;
    out[2 * k] = radius(k) * Math.cos(a);
    out[2 * k + 1] = radius(k) * Math.sin(a);
  }
  return out;
}
const STAR = polygon(10, (k) => (k % 2 === 0 ? 1 : 0.42));
const TRIANGLE = polygon(3, () => 1);

function insidePolygon(x: number, y: number, poly: Float64Array): boolean {
  if (x * x + y * y > 1) return false;
  let inside = false;
  const n = poly.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = poly[i]!;
    const yi = poly[i + 1]!;
    const xj = poly[j]!;
    const yj = poly[j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

interface Scene {
  readonly cls: number;
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
  readonly cos: number;
  readonly sin: number;
  readonly period: number; // textures, in shape units
  readonly phase: number;
  readonly aspect: number; // blob anisotropy
}

function coverageAt(s: Scene, u: number, v: number): number {
  const ax = Math.abs(u);
  const ay = Math.abs(v);
  const r2 = u * u + v * v;
  switch (s.cls) {
    case 0:
      return r2 <= 1 ? 1 : 0;
    case 1:
      return ax <= 0.8 && ay <= 0.8 ? 1 : 0;
    case 2:
      return insidePolygon(u, v, TRIANGLE) ? 1 : 0;
    case 3:
      return r2 <= 1 && r2 >= 0.42 ? 1 : 0;
    case 4:
      return (ax <= 1 && ay <= 0.3) || (ax <= 0.3 && ay <= 1) ? 1 : 0;
    case 5:
    case 6:
    case 7: {
      if (ax > 1 || ay > 1) return 0; // textures fill a square window
      const band = (t: number) => Math.floor(t / s.period + s.phase) & 1;
      if (s.cls === 5) return band(v);
      if (s.cls === 6) return band(u);
      return band(u) ^ band(v + 7.3);
    }
    case 8:
      return Math.exp(-2 * ((u * u) / s.aspect + v * v * s.aspect)); // soft anisotropic Gaussian, no edge
    default:
      return insidePolygon(u, v, STAR) ? 1 : 0;
  }
}

function drawScene(rng: Rng, cls: number, size: number): Float32Array {
  const textured = cls >= 5 && cls <= 7;
  const radius = size * (textured ? rng.uniform(0.3, 0.45) : rng.uniform(0.25, 0.42));
  const angle = textured ? rng.uniform(-Math.PI / 12, Math.PI / 12) : rng.uniform(0, 2 * Math.PI);
  const scene: Scene = {
    cls,
    cx: size * (0.5 + rng.uniform(-JITTER, JITTER)),
    cy: size * (0.5 + rng.uniform(-JITTER, JITTER)),
    radius,
    cos: Math.cos(angle),
    sin: Math.sin(angle),
    period: (size * rng.uniform(0.06, 0.12)) / radius,
    phase: rng.random(),
    aspect: rng.uniform(0.5, 2),
  };
  // Dark background, light foreground (per channel): the shape always shows, colours still vary widely.
  const bg = [rng.uniform(0, 0.45), rng.uniform(0, 0.45), rng.uniform(0, 0.45)];
  const fg = [rng.uniform(0.55, 1), rng.uniform(0.55, 1), rng.uniform(0.55, 1)];
  const gradient = [0, 1, 2].map(() => [rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2)] as const);
  const noise = rng.uniform(0, 0.05);

  const n = size * size;
  const image = new Float32Array(3 * n);
  const inv = 1 / scene.radius;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let cover = 0;
      const samples = cls === 8 ? 1 : SUB; // the blob is smooth: one sample at the pixel centre
      for (let i = 0; i < samples; i++) {
        const dy = py + (i + 0.5) / samples - scene.cy;
        for (let j = 0; j < samples; j++) {
          const dx = px + (j + 0.5) / samples - scene.cx;
          cover += coverageAt(
            scene,
            (dx * scene.cos + dy * scene.sin) * inv,
            (-dx * scene.sin + dy * scene.cos) * inv,
          );
        }
      }
      cover /= samples * samples;
      const gx = px / size - 0.5;
      const gy = py / size - 0.5;
      for (let c = 0; c < 3; c++) {
        const g = gradient[c]!;
        const back = bg[c]! + g[0] * gx + g[1] * gy;
        // uniform noise with standard deviation `noise` (cheaper than Gaussian and just as good a nuisance)
        const v = back * (1 - cover) + fg[c]! * cover + noise * 3.4641016 * (rng.random() - 0.5);
        image[c * n + py * size + px] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return image;
}

/** One split: images drawn on demand from (seed, split, index); label = index mod 10 (balanced classes). */
function syntheticDataset(
  name: string,
  size: number,
  seed: number,
  split: "train" | "test",
  side: number,
): MemoryDataset {
  // Drawing costs ~0.3 ms an image; epochs revisit every image, so keep them when they fit in CACHE_BYTES.
  // Callers must not modify the returned pixels (augmentations copy before they write).
  const cache: (Float32Array | undefined)[] | undefined =
    size * 3 * side * side * 4 <= CACHE_BYTES ? new Array(size) : undefined;
  const numClasses = SYNTHETIC_CLASSES.length;
  const get = (index: number): ImageSample => {
    if (!(Number.isInteger(index) && index >= 0 && index < size)) {
      throw new InternalError(`synthetic ${split} index ${index} out of range [0, ${size})`);
    }
    const label = index % numClasses; // balanced classes; the sampler shuffles the order
    let image = cache?.[index];
    if (!image) {
      image = drawScene(Rng.derive(seed, "synthetic", split, index), label, side);
      if (cache) cache[index] = image;
    }
    return { image, width: side, height: side, label };
  };
  return memoryDataset({ name, size, numClasses, classNames: SYNTHETIC_CLASSES }, get, (i) => i % numClasses);
}

export function syntheticSource(options: SyntheticOptions = {}): MemorySource {
  const o = { ...SYNTHETIC_DEFAULTS, ...options };
  const name = `synthetic:${o.seed}`;
  if (!(Number.isInteger(o.size) && o.size >= 8))
    // the size follows the spec's input.size, so this is the spec's doing, not a vfmc bug
    throw new DiagnosticError([
      makeDiagnostic("DataSpecInvalid", undefined, [
        name,
        `the synthetic shapes are drawn at 8 px or more, and the model's input.size is ${o.size}`,
      ]),
    ]);
  return {
    train: syntheticDataset(`${name}/train`, o.trainSize, o.seed, "train", o.size),
    test: syntheticDataset(`${name}/test`, o.testSize, o.seed, "test", o.size),
  };
}
