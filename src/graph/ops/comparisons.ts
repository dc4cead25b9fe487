// Less, Greater, Equal: broadcasting comparisons with a bool result; no gradient flows through a comparison.
import { defineBinary, nondifferentiable } from "../op.js";

export const Less = defineBinary({
  name: "Less",
  fn: (a, b) => Number(a < b),
  vjp: nondifferentiable,
  out: "bool",
});

export const Greater = defineBinary({
  name: "Greater",
  fn: (a, b) => Number(a > b),
  vjp: nondifferentiable,
  out: "bool",
});

export const Equal = defineBinary({
  name: "Equal",
  fn: (a, b) => Number(a === b),
  vjp: nondifferentiable,
  out: "bool",
  dtypes: ["int64", "int32", "float32", "float64", "bool"],
});
