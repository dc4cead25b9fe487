// The training-dynamics monitors (src/lower/monitors.ts), lowered and run in onnxruntime, against values computed
// here by hand: entropies, prototypes in use, the spread of features over a batch — with padded rows left out.
import { describe, expect, it } from "vitest";
import { featureSpread, meanEntropy, prototypesInUse, softmaxEntropy } from "../../src/lower/monitors.js";
import { builder, f32, run, scalarOf } from "./losses-harness.js";

const H = (p: number[]) => -p.reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0);

describe("monitors", () => {
  it("mean entropy and prototypes in use of target rows, padded rows excluded", async () => {
    const rows = [
      [1, 0, 0, 0],
      [0.5, 0.5, 0, 0],
      [0.25, 0.25, 0.25, 0.25],
      [0, 0, 0, 0], // padding (an iBOT buffer row past n_masked)
    ];
    const b = builder();
    const p = b.input("p", f32([4, 4], rows.flat()));
    const valid = b.input("valid", f32([4], [1, 1, 1, 0]));
    const count = b.input("count", f32([], [3]));
    const out = await run(b, {
      h: meanEntropy(b.g, p, { valid, count }),
      used: prototypesInUse(b.g, p, { valid, count }),
      all: prototypesInUse(b.g, p),
    });
    expect(scalarOf(out.h)).toBeCloseTo((H(rows[0]!) + H(rows[1]!) + H(rows[2]!)) / 3, 5);
    const mean = [0, 1, 2, 3].map((k) => (rows[0]![k]! + rows[1]![k]! + rows[2]![k]!) / 3);
    expect(scalarOf(out.used)).toBeCloseTo(Math.exp(H(mean)), 4);
    // the padded row counts as a row (a mean over 4) when no rows are given
    expect(scalarOf(out.all)).toBeCloseTo(Math.exp(H(mean.map((x) => (3 * x) / 4))), 4);
  });

  it("the entropy of softmax(logits / τ)", async () => {
    const logits = [0, 1, 2, -1];
    const tau = 0.5;
    const e = logits.map((x) => Math.exp(x / tau));
    const z = e.reduce((a, x) => a + x, 0);
    const b = builder();
    const out = await run(b, { h: softmaxEntropy(b.g, b.input("s", f32([1, 4], logits)), tau) });
    expect(scalarOf(out.h)).toBeCloseTo(H(e.map((x) => x / z)), 5);
  });

  it("feature spread: 0 when every row is the same, about 1 for rows spread over the sphere", async () => {
    const b = builder();
    const same = b.input("same", f32([3, 2], [1, 2, 2, 4, 3, 6]));
    const axes = b.input("axes", f32([4, 2], [1, 0, -1, 0, 0, 1, 0, -1]));
    const out = await run(b, { s_same: featureSpread(b.g, same), s_axes: featureSpread(b.g, axes) });
    expect(scalarOf(out.s_same)).toBeCloseTo(0, 5);
    // each channel is (1, −1, 0, 0) over the rows: std √(1/2), times √2
    expect(scalarOf(out.s_axes)).toBeCloseTo(1, 5);
  });
});
