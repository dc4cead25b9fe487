// What every dataset yields. Images are planar float RGB — CHW, channel c at [c·H·W, (c+1)·H·W), rows top to bottom
// — with values in [0, 1]: the layout of the batches the graphs take, so crops copy planes without transposing.
// Normalisation (mean/std) happens inside the graph, not here.

export interface ImageSample {
  /** CHW, 3 channels, RGB in [0, 1] */
  readonly image: Float32Array;
  readonly width: number;
  readonly height: number;
  /** class index in [0, numClasses) */
  readonly label: number;
}

export interface Dataset {
  readonly name: string;
  readonly size: number;
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  /** all samples share this size (true of every dataset here); crops do not rely on it */
  readonly width: number;
  readonly height: number;
  /** deterministic: the same index always gives the same sample; its pixels may be shared, never modify them */
  get(index: number): ImageSample;
}

/** A training set and, where the source has one, a held-out set (for kNN / linear evaluation). */
export interface DataSource {
  readonly train: Dataset;
  readonly test?: Dataset;
}
