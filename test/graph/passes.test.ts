// Passes: each does its job on a small graph, and on random graphs the pipeline never changes ORT's outputs.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { GraphBuilder } from "../../src/graph/builder.js";
import type { Value } from "../../src/graph/ir.js";
import { toOnnx } from "../../src/graph/emit.js";
import { cse } from "../../src/graph/passes/cse.js";
import { dce } from "../../src/graph/passes/dce.js";
import { foldConstants } from "../../src/graph/passes/fold-constants.js";
import { simplifyReshapes } from "../../src/graph/passes/simplify-reshapes.js";
import { optimize } from "../../src/graph/passes/pipeline.js";
import { summarize } from "../../src/graph/summary.js";
import { runModel, type HostTensor } from "../harness/ort.js";

const ops = (g: GraphBuilder): Record<string, number> => ({ ...summarize(g).ops });

describe("each pass", () => {
  test("dce drops nodes and constants no output needs, keeps inputs and params", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [3]);
    g.param("unused", [2]);
    g.mul(g.exp(x), 3);
    g.output("y", g.neg(x));
    const d = dce(g);
    expect(ops(d)).toEqual({ Neg: 1 });
    expect(d.constants).toHaveLength(0);
    expect(d.params.map((p) => p.name)).toEqual(["unused"]);
    expect(g.nodes).toHaveLength(3); // the input graph is untouched
  });

  test("passes keep each node's spec source", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [3]);
    g.output(
      "y",
      g.withSource("a.vfm:1:1 k", () => g.exp(g.reshape(g.reshape(x, [1, 3]), [3, 1]))),
    );
    expect(optimize(g).nodes.map((n) => [n.op.name, n.source])).toEqual([
      ["Reshape", "a.vfm:1:1 k"],
      ["Exp", "a.vfm:1:1 k"],
    ]);
  });

  test("cse merges identical nodes", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [3]);
    g.output("y", g.add(g.exp(x), g.exp(x)));
    expect(ops(cse(g))).toEqual({ Add: 1, Exp: 1 });
  });

  test("fold-constants evaluates small constant subgraphs but keeps ConstantOfShape", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [3]);
    const c = g.mul(g.constant([1, 2, 3]), g.constant([2, 2, 2]));
    g.output("y", g.add(g.add(x, c), g.zeros([3], "float32")));
    const f = foldConstants(g);
    expect(ops(f)).toEqual({ Add: 2, ConstantOfShape: 1 });
    const used = f.nodes.flatMap((n) => n.inputs).filter((v) => v.kind === "constant");
    expect(used.map((c) => Array.from(c.data as Float32Array))).toEqual([[2, 4, 6]]);
  });

  test("simplify-reshapes removes identity reshapes/transposes and composes chains", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [2, 3, 4]);
    const a = g.reshape(g.reshape(x, [6, 4]), [2, 12]);
    const b = g.transpose(g.transpose(x, [1, 0, 2]), [1, 0, 2]);
    const c = g.transpose(g.transpose(x, [1, 2, 0]), [1, 2, 0]);
    g.output("a", g.identity(a));
    g.output("b", b);
    g.output("c", g.stopGradient(c));
    const s = dce(simplifyReshapes(g));
    expect(ops(s)).toEqual({ Identity: 1, Reshape: 1, Transpose: 1 });
    expect(s.nodes.find((n) => n.op.name === "Transpose")!.attrs["perm"]).toEqual([2, 0, 1]);
    expect(s.outputs[1]!.value).toBe(s.inputs[0]);
  });

  test("simplify-reshapes turns (xᵀ·dy)ᵀ into dyᵀ·x, but keeps a transposed product that is used twice", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [5, 3]);
    const dy = g.input("dy", "float32", [5, 4]);
    g.output("dw", g.transpose(g.matmul(g.transpose(x, [1, 0]), dy), [1, 0]));
    const s = dce(simplifyReshapes(g));
    expect(ops(s)).toEqual({ MatMul: 1, Transpose: 1 });
    const mm = s.nodes.find((n) => n.op.name === "MatMul")!;
    expect(mm.inputs[0]!.producer?.inputs[0]).toBe(s.inputs[1]);
    expect(mm.inputs[1]).toBe(s.inputs[0]);

    const h = new GraphBuilder();
    const a = h.input("a", "float32", [5, 3]);
    const p = h.matmul(h.transpose(a, [1, 0]), a);
    h.output("p", p);
    h.output("pt", h.transpose(p, [1, 0]));
    expect(ops(dce(simplifyReshapes(h)))).toEqual({ MatMul: 1, Transpose: 2 });
  });
});

// ---- random graphs --------------------------------------------------------------------------------------------

type Step = { kind: number; a: number; b: number; k: number };

const KINDS = 11;

/** Interprets random steps into a float32 graph over x, y: [2,3] and v: [3]; every value is [2,3] or [3]. */
function randomGraph(steps: readonly Step[], outs: readonly number[]): GraphBuilder {
  const g = new GraphBuilder("random");
  const pool: Value[] = [
    g.input("x", "float32", [2, 3]),
    g.input("y", "float32", [2, 3]),
    g.input("v", "float32", [3]),
  ];
  pool.push(g.constant([0.5, -1, 2]));
  const pick = (i: number): Value => pool[i % pool.length]!;
  const binary = [g.add, g.sub, g.mul, g.max, g.min];
  for (const { kind, a, b, k } of steps) {
    const p = pick(a);
    const q = pick(b);
    switch (kind % KINDS) {
      case 0:
        pool.push([g.tanh, g.sigmoid, g.neg, g.abs][k % 4]!(p));
        break;
      case 1:
        pool.push(binary[k % binary.length]!(p, q));
        break;
      case 2: // the same node twice, for CSE
        pool.push(binary[k % binary.length]!(p, q), binary[k % binary.length]!(p, q));
        break;
      case 3: // constant-only arithmetic, for folding
        pool.push(g.add(g.mul(g.constant([k, 1, -2]), 0.25), g.constant([1, 2, 3])));
        break;
      case 4:
        pool.push(
          p.rank === 2 ? g.reshape(g.reshape(p, [3, 2]), [2, 3]) : g.reshape(g.reshape(p, [1, 3]), [3]),
        );
        break;
      case 5:
        pool.push(p.rank === 2 ? g.transpose(g.transpose(p, [1, 0]), [1, 0]) : g.identity(p));
        break;
      case 6:
        pool.push(g.add(p, g.reduceSum(p, [-1], true)));
        break;
      case 7:
        pool.push(g.softmax(p, -1));
        break;
      case 8:
        pool.push(g.where(g.greater(p, q), p, q));
        break;
      case 9: // (pᵀ·q)ᵀ, which simplify-reshapes turns into qᵀ·p, brought back to [2,3] by p·(…)
        pool.push(
          p.rank === 2 && q.rank === 2 ? g.matmul(p, g.transpose(g.matmul(g.transpose(p), q))) : g.neg(p),
        );
        break;
      default:
        pool.push(g.mul(p, k / 4));
    }
  }
  outs.forEach((o, i) => g.output(`out${i}`, pick(o)));
  return g;
}

describe("the pass pipeline never changes results", () => {
  test("random graphs give the same ORT outputs before and after optimize()", async () => {
    const rand = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + n) * 1.5);
    const feeds: Record<string, HostTensor> = {
      x: { dtype: "float32", dims: [2, 3], data: rand(6) },
      y: { dtype: "float32", dims: [2, 3], data: rand(7).subarray(1) },
      v: { dtype: "float32", dims: [3], data: rand(3) },
    };
    const step = fc.record({ kind: fc.nat(KINDS - 1), a: fc.nat(40), b: fc.nat(40), k: fc.nat(8) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.array(fc.nat(60), { minLength: 1, maxLength: 3 }),
        async (steps, outs) => {
          const g = randomGraph(steps, outs);
          const before = await runModel(toOnnx(g), feeds);
          const opt = optimize(g);
          expect(opt.nodes.length).toBeLessThanOrEqual(g.nodes.length);
          const after = await runModel(toOnnx(opt), feeds);
          for (const [name, t] of Object.entries(before)) {
            const u = after[name]!;
            expect(u.dims).toEqual(t.dims);
            const a = Array.from(t.data as Float32Array);
            const b = Array.from(u.data as Float32Array);
            a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(v)));
          }
        },
      ),
      { numRuns: 40, seed: 20261123 },
    );
  });
});
