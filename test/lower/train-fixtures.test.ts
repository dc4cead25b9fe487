// Parity of the gradient and training-step graphs with the independent PyTorch reference (test/reference,
// docs/parity.md): grads_dinov2 / grads_franca (loss and ∂loss/∂param of every student parameter) and step_dinov2 /
// step_franca (one full step: clip, AdamW with parameter groups, EMA, centre updates). The model IR is built from
// the fixture's config; crops arrive normalised, so the graph's mean/std normalisation is set to the identity.
import { describe, expect, it } from "vitest";
import { toOnnx } from "../../src/graph/emit.js";
import type { IbotHead, ModelIR } from "../../src/ir/model.js";
import { GRAD, NEXT, OPT_M, OPT_V } from "../../src/lower/contract.js";
import { lowerGrad } from "../../src/lower/grad.js";
import { lowerTrainStep } from "../../src/lower/train-step.js";
import type { HostTensor } from "../harness/ort.js";
import { runModel } from "../harness/ort.js";
import { f32 } from "./losses-harness.js";
import {
  fixtureBackbone,
  fixtureHead,
  gatherInputs,
  hasFixture,
  host,
  loadFixture,
  relativeError,
  tensor,
  values,
  type Fixture,
} from "./torch-fixtures.js";
import { tinyIr } from "./train-tiny.js";
import { requires } from "../harness/requires.js";

function irOf(f: Fixture): ModelIR {
  const c = f.json.config;
  const b = c.backbone;
  const base = tinyIr(c.losses.flavour === "franca" ? "franca" : "dinov2");
  const dino = fixtureHead(c.heads.dino, b.dim);
  const ibot: IbotHead = c.heads.ibot.separate
    ? { ...fixtureHead(c.heads.ibot, b.dim), separate: true }
    : { ...dino, separate: false };
  const loss = (l: Record<string, any>) => ({
    weight: l.weight,
    targets: l.targets === "sinkhorn" ? ("sinkhorn" as const) : ("centering" as const),
    sinkhornIterations: l.sinkhorn_iterations,
    centerMomentum: l.center_momentum,
    studentTemp: l.student_temp,
    teacherTemp: base.losses.dino.teacherTemp,
  });
  return {
    ...base,
    input: { size: c.crops.global.size, channels: 3, mean: [0, 0, 0], std: [1, 1, 1] },
    backbone: fixtureBackbone(base.backbone, b),
    crops: {
      ...base.crops,
      global: { ...base.crops.global, count: c.crops.global.count, size: c.crops.global.size },
      local: { ...base.crops.local, count: c.crops.local.count, size: c.crops.local.size },
    },
    masking: {
      ...base.masking,
      kind: c.masking.kind,
      ratio: { lo: c.masking.ratio[0], hi: c.masking.ratio[1] },
      images: c.masking.images,
    },
    heads: { dino, ibot },
    losses: {
      ...base.losses,
      dino: loss(c.losses.dino),
      ibot: loss(c.losses.ibot),
      koleo: { weight: c.losses.koleo.weight },
    },
    optim: {
      ...base.optim,
      betas: c.optim.betas,
      eps: c.optim.eps,
      layerDecay: c.optim.layer_decay,
      patchEmbedLr: c.optim.patch_embed_lr,
      clip: c.optim.clip,
    },
    train: { ...base.train, batch: c.train.batch },
  };
}

/** Feeds every graph input from the fixture (parameters, moments, centres, batch, schedules). */
function feedsOf(
  f: Fixture,
  inputs: readonly { name?: string; shape: readonly (number | string)[] }[],
): Record<string, HostTensor> {
  const c = f.json.config;
  const masks = host(f, "input.masks");
  const feeds: Record<string, HostTensor> = {
    global_crops: host(f, "input.global_crops"),
    local_crops: host(f, "input.local_crops"),
    masks,
    ...gatherInputs(masks.data as Uint8Array, masks.dims[0]!, c.masking.upperbound),
    teacher_temp: host(f, "input.teacher_temp"),
    ibot_teacher_temp: host(f, "input.teacher_temp"),
    lr: host(f, "input.lr"),
    wd: host(f, "input.wd"),
    momentum: host(f, "input.momentum"),
    step: f.tensors.has("state.adam_step")
      ? host(f, "state.adam_step")
      : { dtype: "int64", dims: [], data: BigInt64Array.from([BigInt(c.optim.adam_step_before ?? 0)]) },
  };
  if (f.tensors.has("input.last_layer_lr")) {
    const lr = values(f, "input.lr")[0]!;
    feeds["last_layer_lr_factor"] = f32([], [values(f, "input.last_layer_lr")[0]! / lr]);
  }
  for (const v of inputs) {
    const name = v.name!;
    if (feeds[name]) continue;
    const dims = v.shape as number[];
    const zeros = (): HostTensor => f32(dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));
    const fromState = (key: string): HostTensor => (f.tensors.has(key) ? host(f, key) : zeros());
    if (name.startsWith(OPT_M)) feeds[name] = fromState(`state.exp_avg.${name.slice(OPT_M.length)}`);
    else if (name.startsWith(OPT_V)) feeds[name] = fromState(`state.exp_avg_sq.${name.slice(OPT_V.length)}`);
    else if (name === "dino_loss.center") feeds[name] = fromState("state.center.dino");
    else if (name === "ibot_patch_loss.center") feeds[name] = fromState("state.center.ibot");
    else feeds[name] = host(f, name);
  }
  return feeds;
}

const arr = (t: HostTensor | undefined): number[] => Array.from(t!.data as Float32Array);

for (const name of ["grads_dinov2", "grads_franca"])
  requires(hasFixture(name), `fixture ${name}`).describe(
    `${name}: the gradient graph against PyTorch`,
    () => {
      it("loss parts within 1e-5, every parameter gradient within 1e-4 (relative to the tensor's max)", async () => {
        const f = await loadFixture(name);
        const ir = irOf(f);
        const lowered = lowerGrad({ ir, backbone: ir.backbone });
        const student = Object.keys(f.json.parameters);
        expect(lowered.params.map((p) => p.name)).toEqual(student);
        const out = await runModel(toOnnx(lowered.graph, { opset: 17 }), feedsOf(f, lowered.graph.inputs), {
          graphOptimizationLevel: "basic",
        });
        let worstLoss = 0;
        for (const part of ["loss", "loss_dino", "loss_ibot", "loss_koleo"]) {
          const err = relativeError(arr(out[part]), values(f, `output.${part}`));
          worstLoss = Math.max(worstLoss, err);
          expect(err, part).toBeLessThan(1e-5);
        }
        let worst = 0;
        for (const p of student) {
          const err = relativeError(arr(out[GRAD + p]), values(f, `grad.${p}`));
          worst = Math.max(worst, err);
          expect(err, `grad ${p}`).toBeLessThan(1e-4);
        }
        console.info(
          `${name}: worst relative error: losses ${worstLoss.toExponential(2)}, gradients ${worst.toExponential(2)}`,
        );
      });
    },
  );

for (const name of ["step_dinov2", "step_franca"])
  requires(hasFixture(name), `fixture ${name}`).describe(
    `${name}: the training-step graph against PyTorch`,
    () => {
      it("updated student, teacher, moments and centres match one PyTorch step", async () => {
        const f = await loadFixture(name);
        const ir = irOf(f);
        const lowered = lowerTrainStep({ ir, backbone: ir.backbone });
        // the §7.2 parameter groups agree with the reference's table
        for (const p of lowered.params) {
          const ref = f.json.parameters[p.name]!;
          expect(p.lrMultiplier, p.name).toBeCloseTo(ref.lr_multiplier!, 12);
          expect(p.decay ? 1 : 0, p.name).toBe(ref.wd_multiplier);
          expect(p.lastLayer, p.name).toBe(ref.is_last_layer);
          expect(p.group, p.name).toBe(ref.module);
        }
        const out = await runModel(toOnnx(lowered.graph, { opset: 17 }), feedsOf(f, lowered.graph.inputs), {
          graphOptimizationLevel: "basic",
        });
        for (const part of ["loss", "loss_dino", "loss_ibot", "loss_koleo"])
          expect(relativeError(arr(out[part]), values(f, `output.${part}`)), part).toBeLessThan(1e-5);
        for (const m of f.json.config.optim.clip_modules as string[])
          expect(
            relativeError(arr(out[`grad_norm.${m}`]), values(f, `output.grad_norm.${m}`)),
            m,
          ).toBeLessThan(1e-5);

        // docs/parity.md: entries with an exactly-zero gradient under a fresh AdamW are compared with atol = lr (·(1−m))
        const loose = new Map<string, { elements: [number, number]; atol: number }>();
        for (const ill of (f.json.config.ill_conditioned ?? []) as {
          tensors: string[];
          elements: [number, number];
          atol: Record<string, number>;
        }[])
          for (const t of ill.tensors)
            loose.set(t, {
              elements: ill.elements,
              atol: t.startsWith("updated.teacher.") ? ill.atol["updated.teacher."]! : ill.atol["updated."]!,
            });
        const compare = (ours: string, golden: string, atol: number, rtol: number): number => {
          const got = arr(out[ours]);
          const want = values(f, golden);
          const l = loose.get(golden);
          let worst = 0;
          const scale = Math.max(...want.map(Math.abs));
          want.forEach((w, i) => {
            const a = l && i >= l.elements[0] && i < l.elements[1] ? l.atol : atol;
            const excess = Math.abs(got[i]! - w) - (a + rtol * scale);
            if (a === atol) worst = Math.max(worst, Math.abs(got[i]! - w));
            expect(excess, `${golden}[${i}]: ${got[i]} vs ${w}`).toBeLessThanOrEqual(0);
          });
          return worst;
        };
        // worst errors reported below leave out the ill-conditioned entries
        let worstParam = 0;
        let worstTeacher = 0;
        for (const p of lowered.params) {
          worstParam = Math.max(worstParam, compare(NEXT + p.name, `updated.${p.name}`, 1e-6, 0));
          worstTeacher = Math.max(
            worstTeacher,
            compare(`${NEXT}teacher.${p.name}`, `updated.teacher.${p.name}`, 1e-6, 0),
          );
          compare(NEXT + OPT_M + p.name, `updated.exp_avg.${p.name}`, 1e-9, 1e-4);
          compare(NEXT + OPT_V + p.name, `updated.exp_avg_sq.${p.name}`, 1e-9, 1e-4);
        }
        if (f.tensors.has("updated.center.dino"))
          compare(`${NEXT}dino_loss.center`, "updated.center.dino", 1e-6, 1e-5);
        if (f.tensors.has("updated.center.ibot"))
          compare(`${NEXT}ibot_patch_loss.center`, "updated.center.ibot", 1e-6, 1e-5);
        expect(Number((out[`${NEXT}step`]!.data as BigInt64Array)[0])).toBe(
          Number((tensor(f, "state.adam_step").data as BigInt64Array)[0] ?? 0n) + 1,
        );
        console.info(
          `${name}: worst |Δ| student ${worstParam.toExponential(2)}, teacher ${worstTeacher.toExponential(2)}`,
        );
      });
    },
  );
