// And, Or, Not on bool masks (masked-token bookkeeping); integer paths carry no gradient.
import { defineBinary, defineUnary, nondifferentiable } from "../op.js";

export const And = defineBinary({
  name: "And",
  fn: (a, b) => Number(a && b),
  vjp: nondifferentiable,
  dtypes: ["bool"],
});

export const Or = defineBinary({
  name: "Or",
  fn: (a, b) => Number(a || b),
  vjp: nondifferentiable,
  dtypes: ["bool"],
});

export const Not = defineUnary({
  name: "Not",
  fn: (a) => Number(!a),
  vjp: nondifferentiable,
  dtypes: ["bool"],
});
