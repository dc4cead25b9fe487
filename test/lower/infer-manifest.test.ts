// The manifest's graph entries: roles by name, defaults for unlabelled values, parameters without data as inputs.
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../../src/graph/builder.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { backboneParamSpecs } from "../../src/lower/backbone/params.js";
import { buildManifest, graphEntry, modelSchedules, type IoRoleInfo } from "../../src/lower/manifest.js";

describe("manifest", () => {
  it("labels inputs, data-less parameters and outputs, with state feedback", () => {
    const g = new GraphBuilder("step");
    const x = g.input("global_crops", "float32", ["N", 3, 8, 8]);
    const lr = g.input("lr", "float32", []);
    const w = g.param("norm.weight", [4]);
    const tw = g.param("teacher.norm.weight", [4]);
    const c = g.param("const", [4], new Float32Array(4));
    g.output("loss", g.reduceSum(x, [0, 1, 2, 3]));
    g.output("new.norm.weight", g.sub(w, g.mul(lr, c)));
    g.output("new.teacher.norm.weight", g.identity(tw));
    const roles = new Map<string, IoRoleInfo>([
      ["lr", { role: "schedule", schedule: "lr" }],
      ["loss", { role: "metric" }],
      ["new.norm.weight", { role: "param", next: "norm.weight" }],
      ["new.teacher.norm.weight", { role: "teacher", next: "teacher.norm.weight" }],
    ]);
    const e = graphEntry("train", "m.train.onnx", g, roles, 17);
    expect(e.inputs.map((i) => [i.name, i.role])).toEqual([
      ["global_crops", "batch"],
      ["lr", "schedule"],
      ["norm.weight", "param"],
      ["teacher.norm.weight", "teacher"],
    ]);
    expect(e.inputs[1]).toMatchObject({ schedule: "lr", shape: [] });
    expect(e.outputs.map((o) => [o.name, o.role, o.next])).toEqual([
      ["loss", "metric", undefined],
      ["new.norm.weight", "param", "norm.weight"],
      ["new.teacher.norm.weight", "teacher", "teacher.norm.weight"],
    ]);
    expect(e.nodes).toBe(g.nodes.length);
  });

  it("carries the schedules, preprocessing and parameter groups of a model", () => {
    const ir = checkSpec("examples/franca-tiny.vfm").models[0]!;
    const m = buildManifest(ir, 8, [], backboneParamSpecs(ir.backbone, { optim: ir.optim }));
    expect(m.input).toMatchObject({
      resolution: 32,
      grid: 8,
      mean: [0.5, 0.5, 0.5],
      normalisedInGraph: true,
    });
    expect(m.schedules.lr).toEqual(ir.optim.lr);
    expect(Object.keys(modelSchedules(ir)).sort()).toEqual([
      "ibot_teacher_temp",
      "lr",
      "teacher_momentum",
      "teacher_temp",
      "weight_decay",
    ]);
    expect(m.params).toHaveLength(7 + 14 * ir.backbone.depth);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m); // plain JSON data
  });
});
