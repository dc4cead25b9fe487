// Reshape to a fully resolved target (the builder resolves -1). Linear: dx = reshape(dy, x.shape).
// Emission: a symbolic target dim becomes 0 ("copy") when it equals the input dim at that position, else -1; the
// shape rule admits at most one -1 so the emitted form is always valid.
import { defineOp, linear, typed } from "../op.js";
import type { Dim } from "../ir.js";
import { dimProduct, sameDim } from "../shape.js";
import { shapeFail } from "../errors.js";
import { host } from "../host-array.js";

function onnxTarget(input: readonly Dim[], target: readonly Dim[]): number[] {
  return target.map((d, i) =>
    typeof d === "number" ? d : input[i] !== undefined && sameDim(input[i]!, d) ? 0 : -1,
  );
}

export const Reshape = defineOp<{ shape: readonly Dim[] }>({
  name: "Reshape",
  inputs: ["x"],
  infer: ([x], { shape }) => {
    if (!sameDim(dimProduct(x!.shape), dimProduct(shape)))
      shapeFail(`cannot reshape [${x!.shape.join(",")}] to [${shape.join(",")}]: sizes differ`);
    if (onnxTarget(x!.shape, shape).filter((d) => d === -1).length > 1)
      shapeFail(`target [${shape.join(",")}] has more than one new symbolic dim`);
    if (shape.some((d) => d === 0)) shapeFail("zero-sized dims are not supported");
    return [typed(x!.dtype, shape)];
  },
  emit: (o, [x], out, { shape }, { x: [t] }) =>
    o.node("Reshape", [x!, o.int64s(onnxTarget(t!.shape, shape))], out),
  vjp: linear((g, dy, [x]) => g.reshape(dy, x!.shape)),
  samples: [
    { inputs: [{ shape: [2, 3, 4] }], attrs: { shape: [6, 4] } },
    { inputs: [{ shape: [6] }], attrs: { shape: [1, 2, 3] } },
  ],
  eval: ([x], { shape }) => [host(x!.dtype, shape as number[], x!.data)],
});
