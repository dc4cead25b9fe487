// DINOv2's DINOHead (reference §2.1): MLP (Linear → GELU → … → Linear to the bottleneck), optional L2
// normalisation, then a weight-normalised Linear(bottleneck → K, no bias) whose rows are W_k = g_k·v_k/‖v_k‖.
// The MLP and the weight-normed layer are shared with the Matryoshka head (matryoshka.ts), which differs only in
// its projection, its names and its flags.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { Head } from "../../ir/model.js";
import { linear } from "../../graph/composite/linear.js";
import type { ParamSpec } from "../params.js";
import { HeadSpecs, take, WEIGHT_G, type ParamValues } from "./head-params.js";

/** F.normalize's eps for float32 tensors (§2.1: 1e-6 only for fp16). */
export const L2_EPS = 1e-12;

/** Names of `_build_mlp`'s linears: `mlp.0`, `mlp.2`, … (GELUs sit at the odd indices); a 1-layer MLP is `mlp`. */
export function mlpLinearNames(module: string, layers: number): string[] {
  if (layers === 1) return [module];
  return Array.from({ length: layers }, (_, i) => `${module}.${2 * i}`);
}

export function mlpSpecs(s: HeadSpecs, module: string, head: Head, inDim: number): void {
  const names = mlpLinearNames(module, head.layers);
  names.forEach((n, i) => {
    const inF = i === 0 ? inDim : head.hidden;
    const outF = i === names.length - 1 ? head.bottleneck : head.hidden;
    s.linear(n, outF, inF);
  });
}

/**
 * The MLP. GELU (exact erf) between linears; after the last one only when the head asks for it (Franca's MRL
 * `_build_mlp` appends a GELU after the bottleneck linear, but a 1-layer MLP is a bare Linear in both repos).
 */
export function headMlp(g: GraphBuilder, params: ParamValues, module: string, head: Head, x: Value): Value {
  const names = mlpLinearNames(module, head.layers);
  let y = x;
  names.forEach((n, i) => {
    y = linear(g, y, take(params, `${n}.weight`), take(params, `${n}.bias`));
    const last = i === names.length - 1;
    if (!last || (head.geluAfterBottleneck && head.layers > 1)) y = g.gelu(y);
  });
  return y;
}

/** weight_norm(dim=0) state: weight_g [K, 1] filled with 1, weight_v [K, bot] with nn.Linear's default init. */
export function weightNormSpecs(s: HeadSpecs, module: string, prototypes: number, bottleneck: number): void {
  s.add(`${module}.weight_g`, [prototypes, 1], WEIGHT_G);
  // kaiming_uniform(a=√5) on [K, bot] = U(±1/√bot); the init `apply` never reaches weight_v (§2.1)
  s.add(`${module}.weight_v`, [prototypes, bottleneck], {
    kind: "uniform",
    bound: 1 / Math.sqrt(bottleneck),
  });
}

/**
 * x [.., bot] → logits [.., K] with W = v · (g / ‖v‖_row), the order torch's _weight_norm computes it in. The row
 * norm is one ReduceL2: v is [K, bot] with K up to 131072, and √Σv² written out would add a full-size square in
 * the forward and an Expand, two products and a sum of that size in its gradient (ReduceL2's is one product).
 */
export function weightNormLinear(g: GraphBuilder, x: Value, weightG: Value, weightV: Value): Value {
  return g.matmul(x, normalizedWeightT(g, weightG, weightV));
}

/**
 * Wᵀ, built once per (gain, v) pair: a head runs on several crop sets (global, local, the iBOT buffer), and with one
 * W the gradients of all uses meet at Wᵀ and flow back through a single weight-norm chain, not one per use (each
 * chain is several products the size of W, [K, bot]).
 */
const normalizedWeights = new WeakMap<Value, { gain: Value; wt: Value }>();
function normalizedWeightT(g: GraphBuilder, weightG: Value, weightV: Value): Value {
  const hit = normalizedWeights.get(weightV);
  if (hit?.gain === weightG) return hit.wt;
  const norm = g.reduceL2(weightV, [1], true);
  const wt = g.transpose(g.mul(weightV, g.div(weightG, norm)), [1, 0]);
  normalizedWeights.set(weightV, { gain: weightG, wt });
  return wt;
}

/**
 * z / max(‖z‖, eps), written as z / √max(Σz², eps²): the same value, but a zero row (a padded iBOT buffer row)
 * gets a zero gradient instead of 0·∞ from the square root's derivative.
 */
export function l2Normalize(g: GraphBuilder, z: Value, eps: number): Value {
  return g.div(z, g.sqrt(g.max(g.reduceSum(g.mul(z, z), [-1], true), eps * eps)));
}

export function dinoHeadSpecs(head: Head, inDim: number, module: string, prefix = ""): ParamSpec[] {
  const s = new HeadSpecs(module);
  const m = prefix + module;
  mlpSpecs(s, `${m}.mlp`, head, inDim);
  weightNormSpecs(s, `${m}.last_layer`, head.prototypes, head.bottleneck);
  return s.specs;
}

/** x [.., D] → one logits tensor [.., K] (a one-element list, like the Matryoshka head's per-level list). */
export function dinoHead(
  g: GraphBuilder,
  head: Head,
  params: ParamValues,
  module: string,
  x: Value,
): Value[] {
  let z = headMlp(g, params, `${module}.mlp`, head, x);
  if (head.l2norm) z = l2Normalize(g, z, L2_EPS);
  return [
    weightNormLinear(
      g,
      z,
      take(params, `${module}.last_layer.weight_g`),
      take(params, `${module}.last_layer.weight_v`),
    ),
  ];
}
