// Transpose by `perm`. Linear: dx = transpose(dy, perm⁻¹).
import { attr, defineOp, linear, typed } from "../op.js";
import { inversePermutation } from "../shape.js";
import { shapeFail } from "../errors.js";
import { at, tabulate } from "../host-array.js";

export const Transpose = defineOp<{ perm: readonly number[] }>({
  name: "Transpose",
  inputs: ["x"],
  infer: ([x], { perm }) => {
    const ok = perm.length === x!.shape.length && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
    if (!ok) shapeFail(`perm [${perm.join(",")}] is not a permutation of rank ${x!.shape.length}`);
    return [
      typed(
        x!.dtype,
        perm.map((p) => x!.shape[p]!),
      ),
    ];
  },
  emit: (o, i, out, { perm }) => o.node("Transpose", i, out, { perm: attr.ints(perm) }),
  vjp: linear((g, dy, _x, { perm }) => g.transpose(dy, inversePermutation(perm))),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { perm: [1, 0] } },
    { inputs: [{ shape: [2, 3, 4] }], attrs: { perm: [2, 0, 1] } },
  ],
  eval: ([x], { perm }) => {
    const shape = perm.map((p) => x!.shape[p]!);
    return [
      tabulate(x!.dtype, shape, (idx) => {
        const src = new Array<number>(perm.length);
        perm.forEach((p, i) => (src[p] = idx[i]!));
        return at(x!, src);
      }),
    ];
  },
});
