// Each loss piece, lowered and run in onnxruntime, against the independent float64 statements of ssl-reference.ts.
import { describe, expect, it } from "vitest";
import { grad } from "../../src/graph/autodiff.js";
import { centeredTargets, nextCenter } from "../../src/lower/losses/centering.js";
import { dinoLoss } from "../../src/lower/losses/dino.js";
import { gatherMasked, ibotLoss, maskUpperbound } from "../../src/lower/losses/ibot.js";
import { koleoLoss } from "../../src/lower/losses/koleo.js";
import { sinkhornTargets } from "../../src/lower/losses/sinkhorn.js";
import { builder, f32, matTensor, maxAbsDiff, randMat, run, scalarOf, toMat } from "./losses-harness.js";
import {
  centeringRef,
  dinoLossRef,
  ibotLossRef,
  koleoRef,
  sinkhornRef,
  softmax,
  type Mat,
} from "./ssl-reference.js";

const softmaxRows = (m: Mat): Mat => m.map((r) => softmax(r));

describe("Sinkhorn–Knopp targets (§3.2)", () => {
  for (const preNormalise of [true, false])
    it(`matches the reference steps (preNormalise ${preNormalise})`, async () => {
      const z = randMat(6, 10, 1, -0.5, 0.5);
      const b = builder();
      const t = sinkhornTargets(b.g, b.input("z", matTensor(z)), b.input("temp", f32([], [0.07])), {
        iterations: 3,
        preNormalise,
      });
      const out = toMat((await run(b, { t }))["t"]!);
      const ref = sinkhornRef(z, 0.07, 3, preNormalise);
      expect(maxAbsDiff(out.flat(), ref.flat())).toBeLessThan(1e-6);
      for (const r of out) expect(r.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    });

  it("leaves padded samples out (DINOv2 iBOT slices the buffer to n_masked)", async () => {
    const z = randMat(6, 8, 2, -0.5, 0.5);
    const b = builder();
    const valid = b.input("valid", f32([6], [1, 1, 1, 1, 0, 0]));
    const n = b.input("n", f32([], [4]));
    const t = sinkhornTargets(b.g, b.input("z", matTensor(z)), b.input("temp", f32([], [0.05])), {
      iterations: 3,
      preNormalise: true,
      valid,
      samples: n,
    });
    const out = toMat((await run(b, { t }))["t"]!);
    const ref = sinkhornRef(z.slice(0, 4), 0.05, 3, true);
    expect(maxAbsDiff(out.slice(0, 4).flat(), ref.flat())).toBeLessThan(1e-6);
    expect(
      out
        .slice(4)
        .flat()
        .every((v) => v === 0),
    ).toBe(true);
  });
});

describe("centering (§3.2)", () => {
  it("targets use the old center, the next center the batch mean", async () => {
    const z = randMat(4, 6, 3);
    const c = randMat(1, 6, 4, -0.2, 0.2);
    const b = builder();
    const zv = b.input("z", matTensor(z));
    const cv = b.input("c", matTensor(c));
    const temp = b.input("temp", f32([], [0.04]));
    const out = await run(b, { t: centeredTargets(b.g, zv, cv, temp), c2: nextCenter(b.g, cv, zv, 0.9) });
    const ref = centeringRef(z, c[0]!, 0.04, 0.9);
    expect(maxAbsDiff(toMat(out["t"]!).flat(), ref.targets.flat())).toBeLessThan(1e-6);
    expect(maxAbsDiff(Array.from(out["c2"]!.data as Float32Array), ref.center)).toBeLessThan(1e-7);
  });
});

describe("DINO CLS loss (§3.3)", () => {
  for (const nLocal of [0, 1, 3])
    it(`pairs views and normalises by the term count (${nLocal} local crops)`, async () => {
      const B = 3;
      const K = 7;
      const sGlobal = randMat(2 * B, K, 5, -2, 2);
      const sLocal = randMat(Math.max(nLocal, 1) * B, K, 6, -2, 2);
      const targets = softmaxRows(randMat(2 * B, K, 7, -3, 3));
      const b = builder();
      const parts = dinoLoss(
        b.g,
        b.input("sg", matTensor(sGlobal)),
        nLocal > 0 ? b.input("sl", matTensor(sLocal)) : null,
        b.input("t", matTensor(targets)),
        nLocal,
        0.1,
      );
      const out = await run(b, { local: parts.local, global: parts.global });
      const ref = dinoLossRef(sGlobal, sLocal.slice(0, nLocal * B), targets, nLocal, 0.1);
      expect(scalarOf(out["local"])).toBeCloseTo(ref.local, 5);
      expect(scalarOf(out["global"])).toBeCloseTo(ref.global, 5);
    });
});

describe("iBOT loss (§3.4, §4.1)", () => {
  it("gathers masked tokens into a zero-padded buffer and weights them per image", async () => {
    // 2B = 4 images of P = 5 patches; images 0 and 2 masked (3 and 2 patches); upperbound 6
    const D = 3;
    const K = 6;
    const tokens = randMat(20, D, 8);
    const indices = [1, 2, 4, 11, 13, 0];
    const weights = [1 / 3, 1 / 3, 1 / 3, 1 / 2, 1 / 2, 0];
    const b = builder();
    const tok = b.g.reshape(b.input("tokens", matTensor(tokens)), [4, 5, D]);
    const idx = b.g.input("idx", "int64", [6]);
    b.feeds["idx"] = { dtype: "int64", dims: [6], data: BigInt64Array.from(indices.map(BigInt)) };
    const valid = b.input("valid", f32([6], [1, 1, 1, 1, 1, 0]));
    const m = {
      indices: idx,
      weights: b.input("w", f32([6], weights)),
      valid,
      count: b.input("n", f32([], [5])),
    };
    const buffer = gatherMasked(b.g, tok, m);
    // logits: a fixed linear map of the gathered tokens, so the loss depends on the gather
    const proj = randMat(K, D, 9);
    const logits = b.g.matmul(buffer, b.g.transpose(b.input("proj", matTensor(proj)), [1, 0]));
    const targets = softmaxRows(randMat(6, K, 10, -2, 2));
    const loss = ibotLoss(b.g, logits, b.input("t", matTensor(targets)), m, 4, 0.1);
    const out = await run(b, { loss, buffer });
    const gathered = indices.map((i, j) => (j < 5 ? tokens[i]! : tokens[0]!.map(() => 0)));
    expect(maxAbsDiff(toMat(out["buffer"]!).flat(), gathered.flat().map(Math.fround))).toBe(0);
    const refLogits = gathered.map((r) => proj.map((p) => p.reduce((s, v, k) => s + v * r[k]!, 0)));
    expect(scalarOf(out["loss"])).toBeCloseTo(ibotLossRef(refLogits, targets, weights, 5, 4, 0.1), 5);
  });

  it("sizes the buffer as DINOv2's collate does", () => {
    // 2B = 4, half masked, P = 256, ratios 0.1 .. 0.5: probs [0.1, 0.3, 0.5] → 76 + 128
    expect(maskUpperbound({ lo: 0.1, hi: 0.5 }, 0.5, 4, 256)).toBe(Math.trunc(256 * 0.3) + 128);
    expect(maskUpperbound({ lo: 0.1, hi: 0.65 }, 0.5, 64, 256)).toBeGreaterThan(0);
  });
});

describe("KoLeo (§3.5)", () => {
  it("matches the reference value and its finite-difference gradient", async () => {
    const x = randMat(5, 4, 11);
    const b = builder();
    const xv = b.input("x", matTensor(x));
    const loss = koleoLoss(b.g, xv);
    const [dx] = grad(b.g, loss, [xv]);
    const out = await run(b, { loss, dx: dx! });
    expect(scalarOf(out["loss"])).toBeCloseTo(koleoRef(x), 5);
    const h = 1e-6;
    const fd = x.flatMap((r, i) =>
      r.map((_, k) => {
        const plus = x.map((rr) => [...rr]);
        const minus = x.map((rr) => [...rr]);
        plus[i]![k]! += h;
        minus[i]![k]! -= h;
        return (koleoRef(plus) - koleoRef(minus)) / (2 * h);
      }),
    );
    const got = Array.from(out["dx"]!.data as Float32Array);
    expect(maxAbsDiff(got, fd)).toBeLessThan(1e-4 * Math.max(...fd.map(Math.abs)));
  });
});
