// The projection heads (§2.1 DINOHead, §2.2 Matryoshka F+), lowered and run in onnxruntime, against the float64
// statements of ssl-reference.ts: names and shapes, logits, and gradients through the weight-normed last layer.
import { describe, expect, it } from "vitest";
import { grad } from "../../src/graph/autodiff.js";
import type { Value } from "../../src/graph/ir.js";
import type { Head } from "../../src/ir/model.js";
import { nestedLevels } from "../../src/ir/model.js";
import { projectionHeadSpecs } from "../../src/lower/heads/projection.js";
import { projectionHead } from "../../src/lower/heads/projection.js";
import { builder, f32, matTensor, maxAbsDiff, numbers, randMat, run, toMat } from "./losses-harness.js";
import { headRef, logSoftmax, type HeadShape, type Params } from "./ssl-reference.js";

function head(over: Partial<Head>, dim: number): Head {
  const nested = over.nested ?? 1;
  const prototypes = over.prototypes ?? 12;
  return {
    layers: 3,
    hidden: 10,
    bottleneck: 6,
    prototypes,
    l2norm: true,
    geluAfterBottleneck: false,
    nested,
    levels: nestedLevels(dim, nested, prototypes),
    ...over,
  };
}

const DIM = 8;
const CASES: [string, Head][] = [
  ["DINOHead (3 layers, L2 norm)", head({}, DIM)],
  ["DINOHead (1 layer, no L2 norm)", head({ layers: 1, l2norm: false }, DIM)],
  [
    "Matryoshka F+ (3 levels, GELU after bottleneck, no L2 norm)",
    head({ nested: 3, l2norm: false, geluAfterBottleneck: true }, DIM),
  ],
];

function shapeOf(h: Head): HeadShape {
  return {
    layers: h.layers,
    l2norm: h.l2norm,
    geluAfterBottleneck: h.geluAfterBottleneck,
    ...(h.nested > 1 ? { widths: h.levels.map((l) => l.width) } : {}),
  };
}

describe("projection heads", () => {
  it("uses the DINOv2 / Franca state-dict names and shapes", () => {
    const plain = projectionHeadSpecs(head({}, DIM), DIM, "dino_head").map(
      (s) => `${s.name} [${s.shape.join(",")}]`,
    );
    expect(plain).toEqual([
      "dino_head.mlp.0.weight [10,8]",
      "dino_head.mlp.0.bias [10]",
      "dino_head.mlp.2.weight [10,10]",
      "dino_head.mlp.2.bias [10]",
      "dino_head.mlp.4.weight [6,10]",
      "dino_head.mlp.4.bias [6]",
      "dino_head.last_layer.weight_g [12,1]",
      "dino_head.last_layer.weight_v [12,6]",
    ]);
    const mrl = head({ nested: 2, l2norm: false, geluAfterBottleneck: true }, DIM);
    const names = [
      ...projectionHeadSpecs(mrl, DIM, "dino_head", "teacher."),
      ...projectionHeadSpecs(mrl, DIM, "ibot_head", "teacher."),
    ].map((s) => `${s.name} [${s.shape.join(",")}]`);
    expect(names).toContain("teacher.dino_head.matryoshka_projections.0.weight [4,4]");
    expect(names).toContain("teacher.ibot_head.mlps.1.4.weight [6,10]");
    expect(names).toContain("teacher.dino_head.last_layers.0.weight_g [6,1]");
    expect(names).toContain("teacher.ibot_head.last_layers.1.weight_v [12,6]");
    const specs = [
      ...projectionHeadSpecs(mrl, DIM, "dino_head", "teacher."),
      ...projectionHeadSpecs(mrl, DIM, "ibot_head", "teacher."),
    ];
    expect(new Set(specs.map((s) => s.group))).toEqual(new Set(["dino_head", "ibot_head"]));
    expect(specs.filter((s) => s.lastLayer).every((s) => s.name.includes("last_layers"))).toBe(true);
    expect(specs.find((s) => s.name.endsWith("mlps.0.0.bias"))!.decay).toBe(false);
    expect(specs.find((s) => s.name.endsWith("weight_g"))!.decay).toBe(true);
  });

  for (const [name, h] of CASES)
    it(`logits and gradients match the reference: ${name}`, async () => {
      const specs = projectionHeadSpecs(h, DIM, "dino_head");
      const params: Params = {};
      specs.forEach((s, i) => {
        const n = s.shape.reduce((a, b) => a * b, 1);
        const lo = s.name.endsWith("weight_g") ? 0.5 : -0.6;
        params[s.name] = { shape: [...s.shape], data: numbers(n, 100 + i, lo, lo === 0.5 ? 1.5 : 0.6) };
      });
      const x = randMat(4, DIM, 3);
      const b = builder();
      const values = new Map<string, Value>(
        specs.map((s) => [s.name, b.input(s.name, f32([...s.shape], params[s.name]!.data))]),
      );
      const logits = projectionHead(b.g, h, values, "dino_head", b.input("x", matTensor(x)));
      // a scalar that touches every logit: Σ_levels Σ_rows Σ_k c_k · log_softmax(logits)_k
      const weights = logits.map((l, i) =>
        b.input(`c${i}`, f32([l.shape[1] as number], numbers(l.shape[1] as number, 50 + i, 0, 1))),
      );
      const loss = logits
        .map((l, i) => b.g.reduceSum(b.g.mul(b.g.logSoftmax(l, -1), weights[i]!), [0, 1]))
        .reduce((a, c) => b.g.add(a, c));
      const gradNames = specs
        .filter((s) =>
          /weight_g|weight_v|mlp\.0\.weight|mlps\.0\.0\.weight|matryoshka_projections\.1\.weight/.test(
            s.name,
          ),
        )
        .map((s) => s.name);
      const grads = grad(
        b.g,
        loss,
        gradNames.map((n) => values.get(n)!),
      );
      const out = await run(b, {
        ...Object.fromEntries(logits.map((l, i) => [`logits${i}`, l])),
        ...Object.fromEntries(grads.map((gv, i) => [`d${i}`, gv])),
      });

      const ref = headRef(params, "dino_head", x, shapeOf(h));
      expect(ref.length).toBe(h.nested);
      ref.forEach((r, i) =>
        expect(maxAbsDiff(toMat(out[`logits${i}`]!).flat(), r.flat())).toBeLessThan(2e-5),
      );

      const refLoss = (p: Params): number =>
        headRef(p, "dino_head", x, shapeOf(h)).reduce(
          (acc, l, i) =>
            acc +
            l.reduce(
              (a, row) =>
                a + logSoftmax(row).reduce((s, v, k) => s + v * Number(b.feeds[`c${i}`]!.data[k]!), 0),
              0,
            ),
          0,
        );
      gradNames.forEach((n, gi) => {
        const got = Array.from(out[`d${gi}`]!.data as Float32Array);
        // central differences in float64 on a few entries of each tensor
        const t = params[n]!;
        for (const j of [0, Math.floor(t.data.length / 2), t.data.length - 1]) {
          const h = 1e-6;
          const plus = {
            ...params,
            [n]: { shape: t.shape, data: t.data.map((v, k) => (k === j ? v + h : v)) },
          };
          const minus = {
            ...params,
            [n]: { shape: t.shape, data: t.data.map((v, k) => (k === j ? v - h : v)) },
          };
          const fd = (refLoss(plus) - refLoss(minus)) / (2 * h);
          expect(Math.abs(got[j]! - fd), `${n}[${j}]: ${got[j]} vs ${fd}`).toBeLessThan(
            1e-3 * Math.max(1, Math.abs(fd)),
          );
        }
      });
    });
});
