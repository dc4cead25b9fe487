// The training-step and gradient graphs of tiny Franca- and DINOv2-style models: they pass the ONNX checker, run in
// onnxruntime, their state outputs pair with inputs, the full-loss gradient agrees with finite differences of the
// loss, and one step's update equals clip + AdamW + EMA recomputed independently from the gradient graph's output.
import { describe, expect, it } from "vitest";
import { toOnnx } from "../../src/graph/emit.js";
import type { Value } from "../../src/graph/ir.js";
import type { ModelIR } from "../../src/ir/model.js";
import { DiagnosticBag, DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { lowerContext } from "../../src/lower/compile.js";
import { GRAD, NEXT, OPT_M, OPT_V } from "../../src/lower/contract.js";
import { gradKind, lowerGrad } from "../../src/lower/grad.js";
import { graphEntry } from "../../src/lower/manifest.js";
import type { IoRoleInfo } from "../../src/lower/manifest.js";
import type { ParamSpec } from "../../src/lower/params.js";
import { lowerTrainStep, trainKind, type LoweredStep } from "../../src/lower/train-step.js";
import type { HostTensor } from "../harness/ort.js";
import { runModel } from "../harness/ort.js";
import { checkOnnx } from "../harness/onnx-checker.js";
import { f32, numbers } from "./losses-harness.js";
import { adamwRef, clipRef } from "./ssl-reference.js";
import { paramValue, tinyBatch, tinyIr, type TinyKind } from "./train-tiny.js";

const SCHEDULE = { lr: 0.01, wd: 0.04, momentum: 0.9, last_layer_lr_factor: 1 };
const STEP = 3;

function feedsFor(
  ir: ModelIR,
  step: LoweredStep,
  paramShift = new Map<string, Float32Array>(),
): Record<string, HostTensor> {
  const specs = new Map<string, ParamSpec>(step.params.map((s) => [s.name, s]));
  const u = step.graph.inputs.find((v) => v.name === "mask_indices")?.shape[0] as number;
  const feeds = tinyBatch(ir, u);
  for (const v of step.graph.inputs) {
    const name = v.name!;
    if (feeds[name]) continue;
    const role = step.roles.get(name)!.role;
    const dims = v.shape as number[];
    const n = dims.reduce((a, b) => a * b, 1);
    const seed = [...name].reduce((h, c) => (h * 33 + c.charCodeAt(0)) >>> 0, 5);
    if (role === "param" || role === "teacher")
      feeds[name] = f32(
        dims,
        paramShift.get(name) ?? paramValue({ ...specs.get(name.replace(/^teacher\./, ""))!, name }),
      );
    else if (role === "opt_m") feeds[name] = f32(dims, numbers(n, seed, -0.01, 0.01));
    else if (role === "opt_v") feeds[name] = f32(dims, numbers(n, seed, 0, 1e-4));
    else if (role === "state") feeds[name] = f32(dims, numbers(n, seed, -0.1, 0.1));
    else if (role === "step")
      feeds[name] = { dtype: "int64", dims: [], data: BigInt64Array.from([BigInt(STEP)]) };
    else if (role === "schedule") feeds[name] = f32([], [SCHEDULE[name as keyof typeof SCHEDULE]]);
    else throw new Error(`no feed for ${name} (${role})`);
  }
  return feeds;
}

const arr = (t: HostTensor | undefined): number[] => Array.from(t!.data as Float32Array);
const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);

function pairsAreConsistent(step: LoweredStep): void {
  const inputs = new Map(step.graph.inputs.map((v) => [v.name!, v]));
  for (const o of step.graph.outputs) {
    const info: IoRoleInfo | undefined = step.roles.get(o.name);
    expect(info, `role of output ${o.name}`).toBeDefined();
    if (!info!.next) continue;
    const target = inputs.get(info!.next)!;
    expect(target, `${o.name} feeds ${info!.next}`).toBeDefined();
    expect([o.value.dtype, ...o.value.shape]).toEqual([target.dtype, ...target.shape]);
  }
  for (const v of step.graph.inputs) expect(step.roles.get(v.name!), `role of input ${v.name}`).toBeDefined();
}

for (const kind of ["franca", "dinov2"] as TinyKind[])
  describe(`${kind}-style training graphs`, () => {
    const ir = tinyIr(kind);
    const ctx = { ir, backbone: ir.backbone };
    const train = lowerTrainStep(ctx);
    const gradGraph = lowerGrad(ctx);
    const trainModel = toOnnx(train.graph, { opset: 17 });
    const gradModel = toOnnx(gradGraph.graph, { opset: 17 });

    it("declare every state tensor with a feedback output and pass the ONNX checker", (t) => {
      pairsAreConsistent(train);
      pairsAreConsistent(gradGraph);
      const students = train.params.filter((p) => !p.name.startsWith("teacher."));
      for (const p of students) {
        for (const n of [p.name, `teacher.${p.name}`, OPT_M + p.name, OPT_V + p.name])
          expect(train.roles.get(NEXT + n)?.next, n).toBe(n);
        expect(gradGraph.roles.get(GRAD + p.name)?.role).toBe("grad");
      }
      for (const m of ["loss", "loss_dino", "loss_ibot", "loss_koleo", "grad_norm"])
        expect(train.roles.get(m)?.role).toBe("metric");
      if (kind === "dinov2")
        expect(train.roles.get(`${NEXT}dino_loss.center`)?.next).toBe("dino_loss.center");
      for (const model of [trainModel, gradModel]) {
        const r = checkOnnx(model);
        if (r.skipped) t.skip(r.skipped);
        expect(r.ok, r.message).toBe(true);
      }
    });

    it("one step = per-module clipping + AdamW (multipliers, bias correction) + EMA of the updated student", async () => {
      const feeds = feedsFor(ir, train);
      const g = await runModel(gradModel, feeds);
      const s = await runModel(trainModel, feeds);
      const loss = arr(g["loss"])[0]!;
      expect(Number.isFinite(loss)).toBe(true);
      expect(arr(s["loss"])[0]).toBeCloseTo(loss, 5);
      for (const part of ["loss_dino", "loss_ibot", "loss_koleo"])
        expect(Math.abs(arr(g[part])[0]!)).toBeGreaterThan(0);

      const students = train.params.filter((p) => !p.name.startsWith("teacher."));
      const groups = [...new Set(students.map((p) => p.group))];
      expect(groups.sort()).toEqual(
        kind === "franca" ? ["backbone", "dino_head", "ibot_head"] : ["backbone", "dino_head"],
      );
      const scale = new Map<string, number>();
      let total = 0;
      for (const group of groups) {
        const c = clipRef(
          students.filter((p) => p.group === group).map((p) => arr(g[GRAD + p.name])),
          ir.optim.clip,
        );
        scale.set(group, c.scale);
        total += c.norm ** 2;
        expect(relErr(arr(s[`grad_norm.${group}`])[0]!, c.norm)).toBeLessThan(1e-5);
      }
      expect(relErr(arr(s["grad_norm"])[0]!, Math.sqrt(total))).toBeLessThan(1e-5);
      expect([...scale.values()].some((v) => v < 1)).toBe(true); // the clip threshold is low enough to act

      let worst = 0;
      for (const p of students) {
        const lr = SCHEDULE.lr * (p.lastLayer ? SCHEDULE.last_layer_lr_factor : 1) * p.lrMultiplier;
        const ref = adamwRef(
          arr(feeds[p.name]),
          arr(g[GRAD + p.name]).map((v) => v * scale.get(p.group)!),
          arr(feeds[OPT_M + p.name]),
          arr(feeds[OPT_V + p.name]),
          STEP + 1,
          {
            lr,
            wd: p.decay ? SCHEDULE.wd : 0,
            beta1: ir.optim.betas[0],
            beta2: ir.optim.betas[1],
            eps: ir.optim.eps,
          },
        );
        const got = arr(s[NEXT + p.name]);
        ref.theta.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[i]!))));
        arr(s[NEXT + OPT_M + p.name]).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref.m[i]!))));
        arr(s[NEXT + OPT_V + p.name]).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref.v[i]!))));
        const teacher = arr(feeds[`teacher.${p.name}`]);
        arr(s[`${NEXT}teacher.${p.name}`]).forEach((v, i) => {
          const ema = SCHEDULE.momentum * teacher[i]! + (1 - SCHEDULE.momentum) * got[i]!;
          worst = Math.max(worst, Math.abs(v - ema));
        });
      }
      expect(worst).toBeLessThan(1e-5);
      expect(Number(s[`${NEXT}step`]!.data[0])).toBe(STEP + 1);
      expect(students.some((p) => p.lrMultiplier !== 1)).toBe(true); // patch_embed ×0.2 (and layer decay) exercised
    });

    it("the full-loss gradient agrees with finite differences of the loss", async () => {
      const feeds = feedsFor(ir, train);
      const g = await runModel(gradModel, feeds);
      const students = gradGraph.params.filter((p) => !p.name.startsWith("teacher."));
      // directional derivative along a fixed random direction d: (L(θ + h·d) − L(θ − h·d)) / 2h vs ⟨∇L, d⟩
      const dir = new Map(
        students.map((p, i) => [
          p.name,
          Float32Array.from(numbers(arr(feeds[p.name]).length, 900 + i, -1, 1)),
        ]),
      );
      let predicted = 0;
      for (const p of students)
        arr(g[GRAD + p.name]).forEach((v, i) => (predicted += v * dir.get(p.name)![i]!));
      const h = 2e-3;
      const shifted = (sign: number): Map<string, Float32Array> =>
        new Map(
          students.map((p) => [
            p.name,
            Float32Array.from(arr(feeds[p.name]), (v, i) => v + sign * h * dir.get(p.name)![i]!),
          ]),
        );
      const lossAt = async (sign: number): Promise<number> =>
        arr(
          (await runModel(gradModel, feedsFor(ir, gradGraph, shifted(sign)), { outputs: ["loss"] }))["loss"],
        )[0]!;
      const fd = ((await lossAt(1)) - (await lossAt(-1))) / (2 * h);
      expect(Math.abs(predicted)).toBeGreaterThan(1e-2);
      expect(relErr(fd, predicted)).toBeLessThan(2e-2);
    });
  });

describe("drop path", () => {
  it("takes per-block residual scales as inputs; all-ones scales reproduce the model without drop path", async () => {
    const ir0 = tinyIr("dinov2");
    const ir1 = tinyIr("dinov2", { dropPath: 0.5 });
    const g0 = lowerGrad({ ir: ir0, backbone: ir0.backbone });
    const g1 = lowerGrad({ ir: ir1, backbone: ir1.backbone });
    const inputs = new Map<string, Value>(g1.graph.inputs.map((v) => [v.name!, v]));
    expect(inputs.get("drop_path_global")?.shape).toEqual([2, 2, 4]);
    expect(inputs.get("drop_path_local")?.shape).toEqual([2, 2, 4]);
    const feeds = feedsFor(ir0, g0);
    const ones = (n: number): HostTensor => f32([2, 2, n], new Array<number>(4 * n).fill(1));
    const m0 = toOnnx(g0.graph, { opset: 17 });
    const m1 = toOnnx(g1.graph, { opset: 17 });
    const a = await runModel(m0, feeds, { outputs: ["loss"] });
    const b = await runModel(
      m1,
      { ...feeds, drop_path_global: ones(4), drop_path_local: ones(4) },
      { outputs: ["loss"] },
    );
    expect(arr(b["loss"])[0]).toBeCloseTo(arr(a["loss"])[0]!, 6);
    // dropping every residual branch of the local crops (scale 0) changes the loss
    const c = await runModel(
      m1,
      { ...feeds, drop_path_global: ones(4), drop_path_local: f32([2, 2, 4], new Array<number>(16).fill(0)) },
      { outputs: ["loss"] },
    );
    expect(Math.abs(arr(c["loss"])[0]! - arr(a["loss"])[0]!)).toBeGreaterThan(1e-4);
  });
});

describe("graph kinds for `vfmc compile --emit train,grad`", () => {
  it("lower from a compile context into manifest entries with roles and feedback pairs", () => {
    const ir = tinyIr("franca");
    const ctx = lowerContext(ir, [], new DiagnosticBag());
    const train = trainKind.lower(ctx);
    const entry = graphEntry("train", "m.train.onnx", train.graph, train.roles, 17);
    const byName = new Map(entry.inputs.map((e) => [e.name, e]));
    expect(byName.get("lr")).toMatchObject({ role: "schedule", schedule: "lr" });
    expect(byName.get("teacher.cls_token")?.role).toBe("teacher");
    expect(byName.get("opt_v.cls_token")?.role).toBe("opt_v");
    expect(byName.get("global_crops")?.role).toBe("batch");
    expect(entry.outputs.find((o) => o.name === `${NEXT}opt_m.cls_token`)).toMatchObject({
      role: "opt_m",
      next: "opt_m.cls_token",
    });
    expect(train.params.every((p) => !p.name.startsWith("teacher."))).toBe(true);
    const grads = graphEntry("grad", "m.grad.onnx", gradKind.lower(ctx).graph, gradKind.lower(ctx).roles, 17);
    expect(grads.outputs.filter((o) => o.role === "grad").length).toBe(train.params.length);
  });

  it("reports a diagnostic, not a crash, for a model the step cannot pair (3 global crops)", () => {
    const ir = tinyIr("dinov2");
    const three = { ...ir, crops: { ...ir.crops, global: { ...ir.crops.global, count: 3 } } };
    let caught: unknown;
    try {
      lowerTrainStep({ ir: three, backbone: three.backbone });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    expect((caught as DiagnosticError).diagnostics[0]!.code).toBe("VFM4010");
  });
});

describe("a batch without masked patches", () => {
  for (const kind of ["franca", "dinov2"] as TinyKind[])
    it(`${kind}: finite loss and gradients, zero iBOT loss, iBOT centre kept`, async () => {
      const ir = tinyIr(kind);
      const lowered = lowerGrad({ ir, backbone: ir.backbone });
      const feeds = feedsFor(ir, lowered);
      const u = feeds["mask_indices"]!.dims[0]!;
      feeds["masks"] = {
        dtype: "bool",
        dims: feeds["masks"]!.dims,
        data: new Uint8Array(feeds["masks"]!.data.length),
      };
      feeds["mask_indices"] = { dtype: "int64", dims: [u], data: new BigInt64Array(u) };
      feeds["mask_weights"] = f32([u], new Array<number>(u).fill(0));
      feeds["n_masked"] = { dtype: "int64", dims: [], data: BigInt64Array.from([0n]) };
      const out = await runModel(toOnnx(lowered.graph, { opset: 17 }), feeds, {
        graphOptimizationLevel: "basic",
      });
      expect(arr(out["loss_ibot"])[0]).toBe(0);
      expect(Number.isFinite(arr(out["loss"])[0]!)).toBe(true);
      for (const [name, t] of Object.entries(out)) expect(arr(t).every(Number.isFinite), name).toBe(true);
      if (kind === "dinov2")
        expect(arr(out[`${NEXT}ibot_patch_loss.center`])).toEqual(arr(feeds["ibot_patch_loss.center"]));
    });
});
