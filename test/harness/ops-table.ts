// The per-op test driver behind test/graph/ops.test.ts. For one op it builds a single graph holding every sample
// (so one ORT session serves them all), then checks (1) the inferred output shapes against what ORT produces,
// (2) ORT's outputs against the op's plain-TypeScript `eval`, and (3) each differentiable input's VJP against a
// central finite difference in one random direction (JAX check_grads), the forward graph itself being run in ORT.
// float64 is used when ORT CPU has every kernel the op and its VJP need in double; else float32 with a larger step.
import type { OpDef, SampleInput } from "../../src/graph/op.js";
import type { Dtype, TensorData, Value } from "../../src/graph/ir.js";
import { isFloat } from "../../src/graph/ir.js";
import { GraphBuilder } from "../../src/graph/builder.js";
import { grad } from "../../src/graph/autodiff.js";
import { toOnnx } from "../../src/graph/emit.js";
import { fromTensorData, toTensorData } from "../../src/graph/tensor-data.js";
import type { HostArray } from "../../src/graph/host-array.js";
import type { OnnxModel } from "../../src/onnx/model.js";
import { runModel, type HostTensor } from "./ort.js";

/** Deterministic uniform numbers in [0, 1) (mulberry32), seeded from a string. */
export function rng(seed: string): () => number {
  let a = [...seed].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 2654435761) >>> 0, 1779033703);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ORT's graph rewrites are off, so what runs is exactly what the ops emitted. */
const EXACT = { graphOptimizationLevel: "disabled" } as const;

export interface Tolerance {
  readonly step: number;
  readonly rtol: number;
  readonly atol: number;
  readonly evalRtol: number;
}

export const TOLERANCE: Record<"float64" | "float32", Tolerance> = {
  float64: { step: 1e-6, rtol: 1e-6, atol: 1e-8, evalRtol: 1e-9 },
  float32: { step: 1e-2, rtol: 2e-2, atol: 2e-3, evalRtol: 1e-5 },
};

export interface Mismatch {
  readonly sample: number;
  readonly what: string;
  readonly detail: string;
}

export interface OpReport {
  readonly op: string;
  readonly precision: "float64" | "float32";
  readonly samples: number;
  readonly gradChecks: number;
  readonly mismatches: Mismatch[];
  readonly model: OnnxModel;
}

interface Built {
  model: OnnxModel;
  feeds: Record<string, HostTensor>;
  inputs: { sample: number; index: number; name: string; value: Value; differentiable: boolean }[];
  outputs: { sample: number; name: string; value: Value }[];
  losses: { sample: number; name: string }[];
}

const toHost = (t: HostTensor): HostArray => ({
  dtype: t.dtype as Dtype,
  shape: t.dims,
  data: fromTensorData(t.dtype as Dtype, t.data as TensorData),
});

function randomInput(s: SampleInput, dtype: Dtype, rand: () => number): number[] {
  const n = s.shape.reduce((a, b) => a * b, 1);
  if (s.data) return [...s.data];
  if (dtype === "bool") return Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0));
  const lo = s.min ?? (isFloat(dtype) ? -1 : -2);
  const hi = s.max ?? (isFloat(dtype) ? 1 : 2);
  if (!isFloat(dtype)) return Array.from({ length: n }, () => Math.floor(lo + rand() * (hi - lo + 1)));
  return Array.from({ length: n }, () => lo + rand() * (hi - lo));
}

function build(op: OpDef, precision: "float64" | "float32"): Built {
  const rand = rng(`${op.name}/${precision}`);
  const g = new GraphBuilder(`op_table_${op.name}`);
  const feeds: Record<string, HostTensor> = {};
  const b: Built = { model: undefined as never, feeds, inputs: [], outputs: [], losses: [] };
  op.samples.forEach((s, si) => {
    const xs = s.inputs.map((inp, j) => {
      const declared = inp.dtype ?? "float32";
      const dtype: Dtype = declared === "float32" ? precision : declared;
      const name = `s${si}_x${j}`;
      const v = g.input(name, dtype, inp.shape);
      feeds[name] = { dtype, dims: inp.shape, data: toTensorData(dtype, randomInput(inp, dtype, rand)) };
      const differentiable = op.vjp !== "nondifferentiable" && s.grad !== false && isFloat(dtype);
      b.inputs.push({ sample: si, index: j, name, value: v, differentiable });
      return v;
    });
    const ys = g.apply(op, xs, s.attrs);
    ys.forEach((y, k) =>
      b.outputs.push({ sample: si, name: g.output(`s${si}_y${k}`, y) && `s${si}_y${k}`, value: y }),
    );
    const wrt = b.inputs.filter((i) => i.sample === si && i.differentiable);
    const y = ys[0]!;
    if (wrt.length === 0 || !isFloat(y.dtype)) return;
    // loss = Σ y ⊙ r with a fixed random r, so every output element's cotangent differs.
    const r = g.constant(randomInput({ shape: y.shape as number[] }, y.dtype, rand), y.dtype, y.shape);
    const loss = g.reduceSum(
      g.mul(y, r),
      y.shape.map((_, i) => i),
    );
    g.output(`s${si}_loss`, loss);
    b.losses.push({ sample: si, name: `s${si}_loss` });
    grad(
      g,
      loss,
      wrt.map((i) => i.value),
    ).forEach((d, k) => g.output(`${wrt[k]!.name}_grad`, d));
  });
  b.model = toOnnx(g);
  return b;
}

function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

export async function checkOp(op: OpDef): Promise<OpReport> {
  let precision: "float64" | "float32" = "float64";
  let built = build(op, precision);
  let first: Record<string, HostTensor>;
  try {
    first = await runModel(built.model, built.feeds, EXACT);
  } catch (e) {
    if (!/Could not find an implementation/.test(String(e))) throw e;
    precision = "float32";
    built = build(op, precision);
    first = await runModel(built.model, built.feeds, EXACT);
  }
  const tol = TOLERANCE[precision];
  const mismatches: Mismatch[] = [];

  // (1) shapes and (2) values against the reference.
  op.samples.forEach((s, si) => {
    const xs = built.inputs.filter((i) => i.sample === si).map((i) => toHost(built.feeds[i.name]!));
    const want = op.eval(xs, s.attrs);
    built.outputs
      .filter((o) => o.sample === si)
      .forEach((o, k) => {
        const got = first[o.name]!;
        if (got.dims.join(",") !== o.value.shape.join(","))
          mismatches.push({
            sample: si,
            what: `shape of output ${k}`,
            detail: `inferred [${o.value.shape}] vs ORT [${got.dims}]`,
          });
        const ref = want[k]!;
        const vals = toHost(got).data;
        const bad = vals.findIndex((v, i) => !close(v, ref.data[i]!, tol.evalRtol, tol.evalRtol));
        if (vals.length !== ref.data.length || bad >= 0)
          mismatches.push({
            sample: si,
            what: `value of output ${k}`,
            detail: `at ${bad}: ORT ${vals[bad]} vs eval ${ref.data[bad]}`,
          });
      });
  });

  // (3) VJP vs central differences, one input position at a time across all samples.
  let gradChecks = 0;
  const positions = [...new Set(built.inputs.filter((i) => i.differentiable).map((i) => i.index))];
  const rand = rng(`${op.name}/directions`);
  for (const j of positions) {
    const perturbed = built.inputs.filter(
      (i) => i.index === j && i.differentiable && built.losses.some((l) => l.sample === i.sample),
    );
    const dirs = new Map(
      perturbed.map((i) => [i.name, randomInput({ shape: i.value.shape as number[] }, i.value.dtype, rand)]),
    );
    const shifted = (sign: number): Record<string, HostTensor> => {
      const f = { ...built.feeds };
      for (const i of perturbed) {
        const base = fromTensorData(i.value.dtype, f[i.name]!.data as TensorData);
        const d = dirs.get(i.name)!;
        f[i.name] = {
          ...f[i.name]!,
          data: toTensorData(
            i.value.dtype,
            base.map((v, k) => v + sign * tol.step * d[k]!),
          ),
        };
      }
      return f;
    };
    const names = built.losses.map((l) => l.name);
    const plus = await runModel(built.model, shifted(1), { ...EXACT, outputs: names });
    const minus = await runModel(built.model, shifted(-1), { ...EXACT, outputs: names });
    for (const i of perturbed) {
      const loss = `s${i.sample}_loss`;
      const fd = (toHost(plus[loss]!).data[0]! - toHost(minus[loss]!).data[0]!) / (2 * tol.step);
      const g = toHost(first[`${i.name}_grad`]!).data;
      const d = dirs.get(i.name)!;
      const analytic = g.reduce((s, v, k) => s + v * d[k]!, 0);
      gradChecks++;
      if (!close(analytic, fd, tol.rtol, tol.atol))
        mismatches.push({
          sample: i.sample,
          what: `gradient of input ${j}`,
          detail: `VJP ${analytic} vs finite difference ${fd}`,
        });
    }
  }
  return { op: op.name, precision, samples: op.samples.length, gradChecks, mismatches, model: built.model };
}

/** A whole graph to gradient-check: `wrt` must be graph inputs or fed parameters (they get perturbed feeds). */
export interface GradCase {
  readonly graph: GraphBuilder;
  readonly loss: Value;
  readonly wrt: readonly Value[];
  readonly feeds: Record<string, HostTensor>;
}

/** Checks ⟨∇L, d⟩ against central differences of L in ORT, one random direction per `wrt` value. */
export async function checkGradients(c: GradCase, precision: "float64" | "float32"): Promise<Mismatch[]> {
  const tol = TOLERANCE[precision];
  const g = c.graph;
  g.output("loss", c.loss);
  grad(g, c.loss, c.wrt).forEach((d, i) => g.output(`grad_${i}`, d));
  const model = toOnnx(g);
  const base = await runModel(model, c.feeds, EXACT);
  const rand = rng(`${g.name}/directions`);
  const mismatches: Mismatch[] = [];
  for (const [i, w] of c.wrt.entries()) {
    const name = w.name!;
    const d = randomInput({ shape: w.shape as number[] }, w.dtype, rand);
    const x = fromTensorData(w.dtype, c.feeds[name]!.data as TensorData);
    const at = async (sign: number): Promise<number> => {
      const data = toTensorData(
        w.dtype,
        x.map((v, k) => v + sign * tol.step * d[k]!),
      );
      const out = await runModel(
        model,
        { ...c.feeds, [name]: { ...c.feeds[name]!, data } },
        { ...EXACT, outputs: ["loss"] },
      );
      return toHost(out["loss"]!).data[0]!;
    };
    const fd = ((await at(1)) - (await at(-1))) / (2 * tol.step);
    const analytic = toHost(base[`grad_${i}`]!).data.reduce((s, v, k) => s + v * d[k]!, 0);
    if (!close(analytic, fd, tol.rtol, tol.atol))
      mismatches.push({
        sample: i,
        what: `gradient of ${name}`,
        detail: `VJP ${analytic} vs finite difference ${fd}`,
      });
  }
  return mismatches;
}

/** A random feed for an input or fed parameter (uniform in [lo, hi]). */
export function randomFeed(v: Value, rand: () => number, lo = -1, hi = 1): HostTensor {
  return {
    dtype: v.dtype,
    dims: v.shape as number[],
    data: toTensorData(v.dtype, randomInput({ shape: v.shape as number[], min: lo, max: hi }, v.dtype, rand)),
  };
}
