// `train { … }`: run length and batch.
import type { SectionSpec } from "./types.js";

export const trainSection: SectionSpec = {
  name: "train",
  doc: "Batch and run length. One epoch is a fixed number of steps, independent of the dataset (§7.1).",
  keys: [
    { key: "batch", kind: "int", min: 1, default: 64, unit: "images", doc: "images per device per step" },
    {
      key: "devices",
      kind: "int",
      min: 1,
      default: 1,
      doc: "data-parallel replicas the recipe was written for (lr scaling uses batch × devices)",
    },
    { key: "epochs", kind: "int", min: 1, default: 100, unit: "epochs", doc: "training length" },
    {
      key: "epoch_length",
      kind: "int",
      min: 1,
      default: 1250,
      unit: "steps",
      doc: "steps per epoch (OFFICIAL_EPOCH_LENGTH = 1250)",
    },
    { key: "seed", kind: "int", min: 0, default: 0, doc: "random seed of data order, crops, masks and init" },
  ],
};
