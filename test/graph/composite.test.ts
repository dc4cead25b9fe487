// Whole-model gradients: every parameter's gradient from `grad` matches finite differences run in onnxruntime.
import { describe, expect, test } from "vitest";
import { GraphBuilder } from "../../src/graph/builder.js";
import type { Dtype, Value } from "../../src/graph/ir.js";
import { linear } from "../../src/graph/composite/linear.js";
import { attention } from "../../src/graph/composite/attention.js";
import { l2Normalize, weightNorm } from "../../src/graph/composite/normalize.js";
import { checkGradients, randomFeed, rng } from "../harness/ops-table.js";
import type { HostTensor } from "../harness/ort.js";
import { toTensorData } from "../../src/graph/tensor-data.js";

function fedParams(
  g: GraphBuilder,
  dtype: Dtype,
  specs: Record<string, number[]>,
  feeds: Record<string, HostTensor>,
  rand: () => number,
): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [name, shape] of Object.entries(specs)) {
    out[name] = g.param(name, shape, undefined, dtype);
    feeds[name] = randomFeed(out[name]!, rand, -0.8, 0.8);
  }
  return out;
}

/** mean over rows of -Σ onehot ⊙ logSoftmax(logits) */
function crossEntropy(g: GraphBuilder, logits: Value, labels: number[]): Value {
  const [n, k] = logits.shape as number[];
  const onehot = g.constant(
    labels.flatMap((l) => Array.from({ length: k! }, (_, j) => Number(j === l))),
    logits.dtype,
    [n!, k!],
  );
  return g.reduceMean(g.neg(g.reduceSum(g.mul(onehot, g.logSoftmax(logits, -1)), [1])), [0]);
}

describe("composite gradients match finite differences", () => {
  for (const [act, dtype] of [
    ["tanh", "float64"],
    ["gelu", "float32"],
  ] as const) {
    test(`2-layer MLP (${act}) + softmax cross-entropy, ${dtype}`, async () => {
      const rand = rng(`mlp-${act}`);
      const g = new GraphBuilder(`mlp_${act}`);
      const feeds: Record<string, HostTensor> = {};
      const x = g.input("x", dtype, [4, 5]);
      feeds["x"] = randomFeed(x, rand);
      const p = fedParams(
        g,
        dtype,
        { "fc1.weight": [6, 5], "fc1.bias": [6], "fc2.weight": [3, 6], "fc2.bias": [3] },
        feeds,
        rand,
      );
      const h = linear(g, x, p["fc1.weight"]!, p["fc1.bias"]);
      const a = act === "tanh" ? g.tanh(h) : g.gelu(h);
      const loss = crossEntropy(g, linear(g, a, p["fc2.weight"]!, p["fc2.bias"]), [0, 2, 1, 2]);
      const wrt = Object.values(p);
      expect(await checkGradients({ graph: g, loss, wrt: [...wrt, x], feeds }, dtype)).toEqual([]);
    });
  }

  test("multi-head attention block with LayerNorm and residual, float64", async () => {
    const rand = rng("attention");
    const dtype = "float64";
    const g = new GraphBuilder("attention_block");
    const feeds: Record<string, HostTensor> = {};
    const x = g.input("x", dtype, [2, 3, 8]);
    feeds["x"] = randomFeed(x, rand);
    const p = fedParams(
      g,
      dtype,
      {
        "norm.weight": [8],
        "norm.bias": [8],
        "qkv.weight": [24, 8],
        "qkv.bias": [24],
        "proj.weight": [8, 8],
        "proj.bias": [8],
      },
      feeds,
      rand,
    );
    const h = g.layerNorm(x, p["norm.weight"]!, p["norm.bias"]!, -1, 1e-6);
    const [q, k, v] = g.split(linear(g, h, p["qkv.weight"]!, p["qkv.bias"]), [8, 8, 8], -1);
    const out = g.add(x, linear(g, attention(g, q!, k!, v!, 2), p["proj.weight"]!, p["proj.bias"]));
    const r = g.constant(
      Array.from({ length: 48 }, () => rand() - 0.5),
      dtype,
      [2, 3, 8],
    );
    const loss = g.reduceSum(g.mul(out, r), [0, 1, 2]);
    expect(await checkGradients({ graph: g, loss, wrt: [...Object.values(p), x], feeds }, dtype)).toEqual([]);
  });

  test("lowering patterns: mask-token substitution, masked gather, weight-normed head, Sinkhorn, KoLeo, float64", async () => {
    const rand = rng("patterns");
    const dtype = "float64";
    const g = new GraphBuilder("patterns");
    const feeds: Record<string, HostTensor> = {};
    const x = g.input("tokens", dtype, [2, 4, 6]);
    feeds["tokens"] = randomFeed(x, rand);
    const p = fedParams(
      g,
      dtype,
      { mask_token: [6], "head.weight_v": [5, 6], "head.weight_g": [5, 1] },
      feeds,
      rand,
    );
    const mask = g.input("mask", "bool", [2, 4, 1]);
    feeds["mask"] = { dtype: "bool", dims: [2, 4, 1], data: toTensorData("bool", [1, 0, 0, 1, 0, 1, 0, 0]) };
    const idx = g.input("masked_idx", "int64", [3]);
    feeds["masked_idx"] = { dtype: "int64", dims: [3], data: toTensorData("int64", [0, 3, 5]) };
    // Substitute masked tokens, then gather them into a fixed-size buffer by flat index.
    const substituted = g.where(mask, p["mask_token"]!, x);
    const picked = g.gather(g.reshape(substituted, [8, 6]), idx, 0);
    // DINO-style head: l2-normalised features through a weight-normed linear layer.
    const w = weightNorm(g, p["head.weight_v"]!, p["head.weight_g"]);
    const logits = linear(g, l2Normalize(g, picked, -1), w);
    // Sinkhorn-Knopp targets (3 unrolled iterations) are teacher-side: no gradient through them.
    let q = g.exp(g.div(g.stopGradient(logits), 0.5));
    for (let i = 0; i < 3; i++) {
      q = g.div(q, g.reduceSum(q, [0], true));
      q = g.div(q, g.reduceSum(q, [1], true));
    }
    const ce = g.reduceSum(g.neg(g.mul(q, g.logSoftmax(g.div(logits, 0.1), -1))), [0, 1]);
    // KoLeo: distance to the nearest other sample, picked by argmax of similarities.
    const feats = l2Normalize(g, g.reduceMean(substituted, [1]), -1);
    const sims = g.sub(g.matmul(feats, g.transpose(feats, [1, 0])), g.constant([2, 0, 0, 2], dtype, [2, 2]));
    const nn = g.argmax(sims, 1);
    const dist = g.reduceL2(g.sub(feats, g.gather(feats, nn, 0)), [1]);
    const koleo = g.neg(g.reduceMean(g.log(g.add(dist, 1e-8)), [0]));
    const loss = g.add(ce, g.mul(koleo, 0.1));
    expect(await checkGradients({ graph: g, loss, wrt: [...Object.values(p), x], feeds }, dtype)).toEqual([]);
  });
});
