// Shape and dtype rules at construction: errors name the op, both shapes and the current source.
import { describe, expect, test } from "vitest";
import { GraphBuilder } from "../../src/graph/builder.js";
import { ShapeError } from "../../src/graph/errors.js";
import { broadcastShapes, dimDivide, dimProduct } from "../../src/graph/shape.js";
import { thrownBy } from "../harness/thrown.js";

const shapeErrorOf = (f: () => unknown): ShapeError => thrownBy(ShapeError, f);

describe("shape errors", () => {
  test("a MatMul mismatch names the op, both shapes and the source", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [2, 197, 768]);
    const w = g.param("w", [384, 1536]);
    const e = shapeErrorOf(() => g.withSource("franca.vfm:12:3 heads.dino", () => g.matmul(x, w)));
    expect(e.op).toBe("MatMul");
    expect(e.source).toBe("franca.vfm:12:3 heads.dino");
    expect(e.message).toBe(
      "MatMul: inner dimensions differ: 768 vs 384 (inputs f32[2,197,768], f32[384,1536]) at franca.vfm:12:3 heads.dino",
    );
  });

  test("broadcasting, dtypes, reshapes and axes are checked", () => {
    const g = new GraphBuilder();
    const a = g.input("a", "float32", [2, 3]);
    const b = g.input("b", "float32", [4]);
    const i = g.input("i", "int64", [2, 3]);
    expect(shapeErrorOf(() => g.add(a, b)).message).toMatch(/^Add: cannot broadcast \[2,3\] with \[4\]/);
    expect(shapeErrorOf(() => g.add(a, i)).message).toMatch(/^Add: dtypes differ: float32 vs int64/);
    expect(shapeErrorOf(() => g.reshape(a, [4, 2])).op).toBe("Reshape");
    expect(shapeErrorOf(() => g.softmax(a, 2)).message).toMatch(/axis 2 is out of range for rank 2/);
    expect(shapeErrorOf(() => g.where(a, a, a)).message).toMatch(/condition must be bool/);
    expect(shapeErrorOf(() => g.gather(a, a, 0)).message).toMatch(/indices must be int64 or int32/);
    expect(shapeErrorOf(() => g.split(a, [1, 1], 1)).message).toMatch(/do not add up/);
    expect(shapeErrorOf(() => g.layerNorm(a, b)).message).toMatch(/scale and bias must be \[3\]/);
  });

  test("the source context nests and restores", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [2]);
    const outer = g.withSource("outer", () => {
      const inner = g.withSource("inner", () => g.exp(x));
      return [inner, g.neg(x)];
    });
    expect(outer.map((v) => v.producer!.source)).toEqual(["inner", "outer"]);
    expect(g.neg(x).producer!.source).toBeUndefined();
  });

  test("values of another graph are rejected", () => {
    const g = new GraphBuilder();
    const h = new GraphBuilder();
    const x = h.input("x", "float32", [2]);
    expect(() => g.exp(x)).toThrow(/belongs to another graph/);
  });
});

describe("inference results", () => {
  test("numbers become scalars of the other operand's dtype", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float64", [3]);
    const y = g.sub(1, g.mul(x, 0.5));
    expect(y.dtype).toBe("float64");
    expect(g.constants.map((c) => c.dtype)).toEqual(["float64", "float64"]);
  });

  test("symbolic batch dims flow through reshapes, matmuls and broadcasting", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", ["N", 197, 768]);
    const flat = g.reshape(x, [-1, 768]);
    expect(flat.shape).toEqual(["197*N", 768]);
    const back = g.reshape(g.matmul(flat, g.param("w", [768, 64])), ["N", 197, 64]);
    expect(back.shape).toEqual(["N", 197, 64]);
    expect(g.add(back, g.param("b", [64])).shape).toEqual(["N", 197, 64]);
    expect(g.reduceMean(back, [1]).shape).toEqual(["N", 64]);
    expect(() => g.add(back, g.input("y", "float32", [3, 197, 64]))).toThrow(ShapeError);
  });

  test("a transpose that undoes the one before it returns that one's input; other compositions stay", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [2, 3, 4, 5]);
    const t = g.transpose(x, [0, 2, 3, 1]);
    expect(g.transpose(t, [0, 3, 1, 2])).toBe(x);
    const w = g.input("w", "float32", [3, 4]);
    expect(g.transpose(g.transpose(w))).toBe(w);
    const twice = g.transpose(t, [0, 2, 3, 1]);
    expect(twice).not.toBe(x);
    expect(twice.shape).toEqual([2, 5, 3, 4]);
  });

  test("dim arithmetic", () => {
    expect(dimProduct(["N", 197, 2])).toBe("394*N");
    expect(dimDivide("394*N", 197)).toBe("2*N");
    expect(dimDivide("N", 2)).toBeUndefined();
    expect(broadcastShapes(["N", 1, 4], [3, 1])).toEqual(["N", 3, 4]);
  });

  test("multi-output ops and reductions", () => {
    const g = new GraphBuilder();
    const x = g.input("x", "float32", [2, 6, 4]);
    expect(g.split(x, [1, 2, 3], 1).map((v) => v.shape)).toEqual([
      [2, 1, 4],
      [2, 2, 4],
      [2, 3, 4],
    ]);
    expect(g.reduceSum(x, [0, -1], true).shape).toEqual([1, 6, 1]);
    expect(g.argmax(x, -1).dtype).toBe("int64");
    expect(g.slice(x, [1, -2], [100, 4], [1, 2]).shape).toEqual([2, 5, 2]);
    expect(g.gather(x, g.input("i", "int64", [3, 5]), 1).shape).toEqual([2, 3, 5, 4]);
  });
});
