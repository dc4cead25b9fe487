// Softmax along one axis (opset ≥ 13 semantics). VJP: dx = y * (dy - sum(dy * y, axis)); y is reused.
import { attr, defineOp, sameAs } from "../op.js";
import { normalizeAxis } from "../shape.js";
import { at, normAxis, reduceArray, tabulate, roundTo } from "../host-array.js";
import type { HostArray } from "../host-array.js";

/** Reference softmax / log-softmax along `axis`. */
export function softmaxRef(x: HostArray, axis: number, log: boolean): HostArray {
  const a = normAxis(axis, x.shape.length);
  const max = reduceArray(x, [a], true, (v) => Math.max(...v));
  const lse = reduceArray(
    tabulate(x.dtype, x.shape, (i) =>
      Math.exp(
        at(x, i) -
          at(
            max,
            i.map((v, k) => (k === a ? 0 : v)),
          ),
      ),
    ),
    [a],
    true,
    (v) => Math.log(v.reduce((s, e) => s + e, 0)),
  );
  return tabulate(x.dtype, x.shape, (i) => {
    const j = i.map((v, k) => (k === a ? 0 : v));
    const l = at(x, i) - at(max, j) - at(lse, j);
    return roundTo(x.dtype, log ? l : Math.exp(l));
  });
}

export const Softmax = defineOp<{ axis: number }>({
  name: "Softmax",
  inputs: ["x"],
  infer: (x, { axis }) => (normalizeAxis(axis, x[0]!.shape.length), sameAs(x)),
  emit: (o, i, out, { axis }) => o.node("Softmax", i, out, { axis: attr.int(axis) }),
  vjp: (g, { y: [y], dy, attrs, needs }) => [
    needs[0] ? g.mul(y!, g.sub(dy, g.reduceSum(g.mul(dy, y!), [attrs.axis], true))) : undefined,
  ],
  samples: [
    { inputs: [{ shape: [2, 5] }], attrs: { axis: -1 } },
    { inputs: [{ shape: [3, 4, 2], min: -3, max: 3 }], attrs: { axis: 1 } },
  ],
  eval: ([x], { axis }) => [softmaxRef(x!, axis, false)],
});
