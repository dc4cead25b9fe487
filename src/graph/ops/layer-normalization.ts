// LayerNormalization-17 over axes [axis, rank): a primitive because ORT runs it fused and its VJP, written once
// here, reuses the saved Mean and InvStdDev outputs instead of recomputing the statistics:
//   x̂ = (x - μ)·σ⁻¹,  dŵ = dy·w,  dx = σ⁻¹·(dŵ - mean(dŵ) - x̂·mean(dŵ·x̂)),  dw = Σ dy·x̂,  db = Σ dy.
import { attr, defineOp, typed } from "../op.js";
import type { Dtype } from "../ir.js";
import { normalizeAxis, sameShape, unbroadcast } from "../shape.js";
import { shapeFail } from "../errors.js";
import { assert } from "../../diagnostics/diagnostic.js";
import { at, normAxis, reduceArray, roundTo, tabulate } from "../host-array.js";

/** ONNX stash_type 1: Mean and InvStdDev are float32 whatever the input dtype (ORT rejects double statistics). */
export const statsDtype = (_x: Dtype): Dtype => "float32";

export const LayerNormalization = defineOp<{ axis: number; epsilon: number }>({
  name: "LayerNormalization",
  inputs: ["x", "scale", "bias"],
  optionalOutputsFrom: 1,
  infer: ([x, w, b], { axis }) => {
    const a = normalizeAxis(axis, x!.shape.length);
    const normShape = x!.shape.slice(a);
    for (const p of [w!, b!]) {
      if (p.dtype !== x!.dtype) shapeFail(`dtypes differ: ${x!.dtype} vs ${p.dtype}`);
      if (!sameShape(p.shape, normShape))
        shapeFail(`scale and bias must be [${normShape.join(",")}], got [${p.shape.join(",")}]`);
    }
    const stats = typed(
      statsDtype(x!.dtype),
      x!.shape.map((d, i) => (i < a ? d : 1)),
    );
    return [typed(x!.dtype, x!.shape), stats, stats];
  },
  emit: (o, i, out, { axis, epsilon }) =>
    o.node("LayerNormalization", i, out, { axis: attr.int(axis), epsilon: attr.float(epsilon) }),
  vjp: (g, { x: [x, w, b], y: [, mean, invStd], dy, dys, attrs, needs }) => {
    // Mean and InvStdDev are saved statistics for this VJP; the builder never hands them out as values to use.
    assert(dys[1] === undefined && dys[2] === undefined, "LayerNormalization statistics carry no gradient");
    const a = normalizeAxis(attrs.axis, x!.rank);
    const axes = x!.shape.map((_, i) => i).filter((i) => i >= a);
    // Saved statistics are float32; a float64 graph recomputes them so its gradients keep float64 accuracy.
    const mu = x!.dtype === "float64" ? g.reduceMean(x!, axes, true) : g.cast(mean!, x!.dtype);
    const centered = g.sub(x!, mu);
    const rstd =
      x!.dtype === "float64"
        ? g.div(1, g.sqrt(g.add(g.reduceMean(g.mul(centered, centered), axes, true), attrs.epsilon)))
        : g.cast(invStd!, x!.dtype);
    const xhat = g.mul(centered, rstd);
    const dxhat = g.mul(dy, w!);
    const dx = () =>
      g.mul(
        rstd,
        g.sub(
          g.sub(dxhat, g.reduceMean(dxhat, axes, true)),
          g.mul(xhat, g.reduceMean(g.mul(dxhat, xhat), axes, true)),
        ),
      );
    return [
      needs[0] ? dx() : undefined,
      needs[1] ? unbroadcast(g, g.mul(dy, xhat), w!.shape) : undefined,
      needs[2] ? unbroadcast(g, dy, b!.shape) : undefined,
    ];
  },
  samples: [
    { inputs: [{ shape: [3, 4] }, { shape: [4] }, { shape: [4] }], attrs: { axis: -1, epsilon: 1e-5 } },
    {
      inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }, { shape: [3, 4] }],
      attrs: { axis: 1, epsilon: 1e-6 },
    },
  ],
  eval: ([x, w, b], { axis, epsilon }) => {
    const a = normAxis(axis, x!.shape.length);
    const axes = x!.shape.map((_, i) => i).filter((i) => i >= a);
    const mean = reduceArray(x!, axes, true, (v) => v.reduce((s, e) => s + e, 0) / v.length);
    const center = (i: number[]) =>
      at(x!, i) -
      at(
        mean,
        i.map((v, k) => (k >= a ? 0 : v)),
      );
    const variance = reduceArray(
      tabulate(x!.dtype, x!.shape, (i) => center(i) ** 2),
      axes,
      true,
      (v) => v.reduce((s, e) => s + e, 0) / v.length,
    );
    const inv = variance.data.map((v) => 1 / Math.sqrt(v + epsilon));
    const rstd = { ...variance, data: inv };
    const y = tabulate(x!.dtype, x!.shape, (i) => {
      const j = i.map((v, k) => (k >= a ? 0 : v));
      const t = i.slice(a);
      return roundTo(x!.dtype, center(i) * at(rstd, j) * at(w!, t) + at(b!, t));
    });
    const sd = statsDtype(x!.dtype);
    const stat = (s: typeof mean) => ({ ...s, dtype: sd, data: s.data.map((v) => roundTo(sd, v)) });
    return [y, stat(mean), stat(rstd)];
  },
});
