// Identity: dx = dy. `stopGradient` in the builder is an Identity with `stop_gradient: true`, which blocks the
// cotangent; emission drops the flag, so ONNX sees a plain Identity.
import { defineOp, sameAs } from "../op.js";

export const Identity = defineOp<{ stop_gradient?: boolean }>({
  name: "Identity",
  inputs: ["x"],
  infer: sameAs,
  emit: (o, i, out) => o.node("Identity", i, out),
  vjp: (_g, { dy, attrs, needs }) => [needs[0] && !attrs.stop_gradient ? dy : undefined],
  samples: [{ inputs: [{ shape: [2, 3] }], attrs: {} }],
  eval: ([x]) => [x!],
});
