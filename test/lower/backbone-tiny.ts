// Small backbones for the lowering tests (no spec parsing needed).
import { swigluHidden, type Backbone } from "../../src/ir/model.js";

export function tinyBackbone(over: Partial<Backbone> = {}): Backbone {
  const dim = over.dim ?? 16;
  const heads = over.heads ?? 2;
  const ffn = over.ffn ?? "mlp";
  const mlpRatio = over.mlpRatio ?? 4;
  return {
    kind: "vit",
    patch: 4,
    dim,
    depth: 2,
    heads,
    headDim: dim / heads,
    mlpRatio,
    ffn,
    ffnHidden: ffn === "mlp" ? Math.round(dim * mlpRatio) : swigluHidden(dim, mlpRatio),
    qkvBias: true,
    registers: 0,
    layerscale: 1e-5,
    dropPath: 0,
    posGrid: 4,
    interpolate: "bicubic",
    interpolateOffset: 0.1,
    posEmbed: "learned",
    init: "dinov2",
    ...over,
  };
}
