// LogSoftmax along one axis. VJP: dx = dy - softmax(x) * sum(dy, axis), with softmax = exp(y).
import { attr, defineOp, sameAs } from "../op.js";
import { normalizeAxis } from "../shape.js";
import { softmaxRef } from "./softmax.js";

export const LogSoftmax = defineOp<{ axis: number }>({
  name: "LogSoftmax",
  inputs: ["x"],
  infer: (x, { axis }) => (normalizeAxis(axis, x[0]!.shape.length), sameAs(x)),
  emit: (o, i, out, { axis }) => o.node("LogSoftmax", i, out, { axis: attr.int(axis) }),
  vjp: (g, { y: [y], dy, attrs, needs }) => [
    needs[0] ? g.sub(dy, g.mul(g.exp(y!), g.reduceSum(dy, [attrs.axis], true))) : undefined,
  ],
  samples: [
    { inputs: [{ shape: [2, 5] }], attrs: { axis: -1 } },
    { inputs: [{ shape: [3, 4, 2], min: -3, max: 3 }], attrs: { axis: 0 } },
  ],
  eval: ([x], { axis }) => [softmaxRef(x!, axis, true)],
});
