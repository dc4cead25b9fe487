// The op table: every registered op is checked against ORT, its reference `eval` and finite differences.
import { describe, expect, test } from "vitest";
import * as registry from "../../src/graph/ops/index.js";
import { OPS } from "../../src/graph/ops/index.js";
import { checkOp } from "../harness/ops-table.js";
import { expectValidOnnx } from "../harness/onnx-checker.js";
import type { OnnxModel } from "../../src/onnx/model.js";

describe("op registry", () => {
  test("op names are unique", () => {
    const names = OPS.map((o) => o.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  test("every op has samples and either a VJP or is declared nondifferentiable", () => {
    for (const op of OPS) {
      expect(op.samples.length, op.name).toBeGreaterThan(0);
      expect(op.vjp === "nondifferentiable" || typeof op.vjp === "function", op.name).toBe(true);
    }
  });

  test("every op the builder can reach (each named export of ops/index) is in the list", () => {
    const exported = Object.entries(registry).filter(([k]) => k !== "OPS");
    for (const [key, op] of exported) expect(OPS.includes(op as never), key).toBe(true);
    expect(exported.map(([k]) => k).sort()).toEqual(OPS.map((o) => o.name).sort());
  });

  test("the registry is frozen", () => {
    expect(Object.isFrozen(OPS)).toBe(true);
  });
});

/** One model holding every op-table model side by side (names prefixed), so the checker starts once. */
function merge(models: readonly OnnxModel[]): OnnxModel {
  const rename = (prefix: string) => (n: string) => (n === "" ? n : `${prefix}/${n}`);
  const graphs = models.map((m) => {
    const r = rename(m.graph.name);
    return {
      nodes: m.graph.nodes.map((n) => ({
        ...n,
        name: r(n.name ?? n.opType),
        inputs: n.inputs.map(r),
        outputs: n.outputs.map(r),
      })),
      inputs: m.graph.inputs.map((v) => ({ ...v, name: r(v.name) })),
      outputs: m.graph.outputs.map((v) => ({ ...v, name: r(v.name) })),
      initializers: m.graph.initializers.map((t) => ({ ...t, name: r(t.name) })),
    };
  });
  return {
    opset: models[0]!.opset,
    graph: {
      name: "op_table",
      nodes: graphs.flatMap((g) => g.nodes),
      inputs: graphs.flatMap((g) => g.inputs),
      outputs: graphs.flatMap((g) => g.outputs),
      initializers: graphs.flatMap((g) => g.initializers),
    },
  };
}

describe("op table (onnxruntime CPU)", () => {
  const models: OnnxModel[] = [];
  for (const op of OPS) {
    test(op.name, async () => {
      const r = await checkOp(op);
      models.push(r.model);
      expect(r.mismatches).toEqual([]);
      if (op.vjp !== "nondifferentiable") expect(r.gradChecks, "gradient checks run").toBeGreaterThan(0);
    });
  }

  // Each model holds an op's forward samples and their gradient graphs: all of it must pass the ONNX checker.
  test("every op-table model passes the ONNX checker", (ctx) => {
    expect(models.length).toBe(OPS.length);
    expectValidOnnx(merge(models), ctx);
  });
});
