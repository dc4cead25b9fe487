// Erf: dx = dy * 2/√π * exp(-x²). The reference erf is a Taylor series near 0 and a continued fraction for erfc in
// the tails, both accurate to ~1e-14, so the forward test can use tight tolerances in float64.
import { defineUnary, elementwise } from "../op.js";

export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = x;
    let total = x;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17; n++) {
      term *= (-x * x) / n;
      total += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * total;
  }
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

export const Erf = defineUnary({
  name: "Erf",
  fn: erf,
  vjp: elementwise((g, x, _y, dy) => g.mul(dy, g.mul(g.exp(g.neg(g.mul(x, x))), 2 / Math.sqrt(Math.PI)))),
});
