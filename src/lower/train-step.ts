// The training-step graph: one complete SSL step as a pure function (docs/graph-contract.md). Inputs are the whole
// training state — student parameters (state-dict names), teacher parameters (`teacher.` prefix), AdamW moments
// (`opt_m.`, `opt_v.`), the step counter, centering states — plus the scheduled scalars and one batch; outputs are
// the next value of every state tensor (`new.<input>`, fed back by the runner) and the metrics. Inside: the SSL
// objective (losses/objective.ts), our reverse-mode autodiff, per-module clipping (§7.2), AdamW with the parameter
// groups' multipliers (§7.2), then the teacher EMA with the updated student (§6). Batch size is fixed at compile time.
import { DiagnosticBag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { GraphBuilder } from "../graph/builder.js";
import { grad } from "../graph/autodiff.js";
import type { Value } from "../graph/ir.js";
import type { Backbone, ModelIR } from "../ir/model.js";
import { gridOf } from "../ir/model.js";
import { backboneParams } from "./backbone/vit.js";
import { headParamSpecs } from "./heads/ibot.js";
import { TEACHER_PREFIX } from "./init.js";
import type { GraphKind } from "./compile.js";
import type { IoRoleInfo } from "./manifest.js";
import type { ParamSpec } from "./params.js";
import { dropPathResiduals, type DropPath } from "./losses/drop-path.js";
import { maskUpperbound, type MaskedTokens } from "./losses/ibot.js";
import {
  hasDino,
  hasIbot,
  sslObjective,
  type Network,
  type ObjectiveInputs,
  type ObjectiveOutputs,
} from "./losses/objective.js";
import { adamwStep, biasCorrection, type AdamWConfig } from "./optim/adamw.js";
import { clipGroup } from "./optim/clip.js";
import { emaUpdate } from "./optim/ema.js";
import { RateTable } from "./optim/layer-decay.js";
import { specSources } from "./source.js";

/** What the train and grad lowerings need from the compile context. */
export interface StepContext {
  readonly ir: ModelIR;
  /** the backbone as the weights have it (position grid) */
  readonly backbone: Backbone;
}

export interface LoweredStep {
  readonly graph: GraphBuilder;
  readonly roles: ReadonlyMap<string, IoRoleInfo>;
  /** the student's parameters (the teacher mirrors them under `teacher.`) */
  readonly params: readonly ParamSpec[];
}

/**
 * What the step lowering cannot express, as diagnostics: the DINOv2/Franca step pairs exactly two global crops
 * (their code asserts it, §3.1).
 */
export function checkTrainable(ir: ModelIR, graph: string): void {
  if (ir.crops.global.count === 2) return;
  const bag = new DiagnosticBag();
  bag.report("GraphNotAvailable", ir.spans.get("crops.global.count"), [
    graph,
    `crops.global.count is ${ir.crops.global.count}, but the DINO/iBOT losses pair exactly 2 global crops (reference §3.1)`,
  ]);
  throw new DiagnosticError(bag.items);
}

export const NEXT = "new.";
export const OPT_M = "opt_m.";
export const OPT_V = "opt_v.";
export const DINO_CENTER = "dino_loss.center";
export const IBOT_CENTER = "ibot_patch_loss.center";

/** The state, batch and schedule inputs the train and grad graphs share, declared on `g`. */
export interface StepInputs {
  readonly studentSpecs: readonly ParamSpec[];
  readonly teacherSpecs: readonly ParamSpec[];
  /** student parameter values in spec order (what the gradient is taken with respect to) */
  readonly studentValues: readonly Value[];
  readonly teacherValues: readonly Value[];
  readonly objective: ObjectiveInputs;
  /** centering inputs by name (state fed back through `new.<name>`) */
  readonly centers: ReadonlyMap<string, Value>;
}

/**
 * Declares the parameters (as graph inputs, so the manifest lists them), the batch, the temperatures and the
 * centering states, recording each input's role in `roles`.
 */
export function declareStepInputs(
  g: GraphBuilder,
  ctx: StepContext,
  roles: Map<string, IoRoleInfo>,
): StepInputs {
  const { ir } = ctx;
  const at = specSources(g, ir);
  const bb = ctx.backbone;
  const B = ir.train.batch;
  const channels = ir.input.channels;
  const input = (
    name: string,
    dtype: "float32" | "int64" | "bool",
    shape: (number | string)[],
    info: IoRoleInfo,
  ): Value => {
    roles.set(name, info);
    return g.input(name, dtype, shape);
  };
  const declare = (role: "param" | "teacher") => (s: ParamSpec) =>
    input(s.name, "float32", [...s.shape], {
      role,
      doc: role === "teacher" ? "EMA teacher parameter" : "student parameter",
    });

  const student = at("backbone", () => backboneParams(bb, declare("param"), { optim: ir.optim, channels }));
  // DINOv2 builds ibot_head only when the iBOT loss is on
  const heads = { dino: ir.heads.dino, ibot: hasIbot(ir) ? ir.heads.ibot : null };
  const studentHeadSpecs = headParamSpecs(heads, bb.dim);
  const studentHeads = at("heads", () => new Map(studentHeadSpecs.map((s) => [s.name, declare("param")(s)])));
  const teacher = at("teacher", () =>
    backboneParams(bb, declare("teacher"), { prefix: TEACHER_PREFIX, channels }),
  );
  const teacherHeadSpecs = headParamSpecs(heads, bb.dim, TEACHER_PREFIX);
  const teacherHeads = at(
    "teacher",
    () => new Map(teacherHeadSpecs.map((s) => [s.name, declare("teacher")(s)])),
  );
  const studentSpecs = [...student.specs, ...studentHeadSpecs];
  const teacherSpecs = [...teacher.specs, ...teacherHeadSpecs];
  const valueOf = (m: ReadonlyMap<string, Value>) => (s: ParamSpec) => m.get(s.name)!;
  const byName = new Map<string, Value>(g.inputs.map((v) => [v.name!, v]));

  const batch = (doc: string): IoRoleInfo => ({ role: "batch", doc });
  const sg = ir.crops.global.size;
  const sl = ir.crops.local.size;
  const nLocal = ir.crops.local.count;
  const globalCrops = at("crops.global", () =>
    input(
      "global_crops",
      "float32",
      [2 * B, channels, sg, sg],
      batch("RGB in [0, 1], [2B, C, Sg, Sg], all crop-1 images then all crop-2 images"),
    ),
  );
  const localCrops =
    nLocal > 0
      ? at("crops.local", () =>
          input(
            "local_crops",
            "float32",
            [nLocal * B, channels, sl, sl],
            batch("RGB in [0, 1], [n_loc·B, C, Sl, Sl], crop-major"),
          ),
        )
      : null;
  const patches = gridOf(sg, bb.patch) ** 2;
  const masks =
    ir.masking.kind !== "none"
      ? at("masking", () =>
          input("masks", "bool", [2 * B, patches], batch("student masks [2B, P], true = masked (§4.1)")),
        )
      : null;

  const maskedTokens = (): MaskedTokens => {
    const u = maskUpperbound(ir.masking.ratio, ir.masking.images, 2 * B, patches);
    const indices = input(
      "mask_indices",
      "int64",
      [u],
      batch(`flat indices into [2B·P] of the masked patches, padded to the upper bound ${u}`),
    );
    const weights = input(
      "mask_weights",
      "float32",
      [u],
      batch("1/m_i per masked patch of image i, 0 for padding"),
    );
    const n = input("n_masked", "int64", [], batch("number of masked patches (valid slots of mask_indices)"));
    const slots = g.constant(
      BigInt64Array.from({ length: u }, (_, i) => BigInt(i)),
      "int64",
      [u],
    );
    return { indices, weights, valid: g.cast(g.less(slots, n), "float32"), count: g.cast(n, "float32") };
  };
  const masked = hasIbot(ir) ? at("masking", maskedTokens) : null;

  const schedule = (name: string, key: string | undefined, doc: string): Value =>
    input(name, "float32", [], { role: "schedule", ...(key ? { schedule: key } : {}), doc });
  const teacherTemp = at("losses.dino.teacher_temp", () =>
    schedule("teacher_temp", "teacher_temp", "teacher temperature τ_t (§7.1)"),
  );
  const ibotTeacherTemp = masked
    ? at("losses.ibot.teacher_temp", () =>
        schedule("ibot_teacher_temp", "ibot_teacher_temp", "iBOT teacher temperature"),
      )
    : null;

  const centers = new Map<string, Value>();
  const center = (name: string, shape: number[]): Value => {
    const v = input(name, "float32", shape, {
      role: "state",
      next: NEXT + name,
      doc: "centering state (§3.2), zeros at start",
    });
    centers.set(name, v);
    return v;
  };
  const levelName = (base: string, l: number, levels: number): string => (levels > 1 ? `${base}.${l}` : base);
  const dinoLevels = ir.heads.dino.levels;
  const dinoCenters =
    hasDino(ir) && ir.losses.dino.targets === "centering"
      ? at("losses.dino.targets", () =>
          dinoLevels.map((lv, l) => center(levelName(DINO_CENTER, l, dinoLevels.length), [1, lv.prototypes])),
        )
      : [];
  const ibotHead = ir.heads.ibot?.separate ? ir.heads.ibot : ir.heads.dino;
  const ibotCenters =
    masked && ir.losses.ibot.targets === "centering"
      ? at("losses.ibot.targets", () =>
          ibotHead.levels.map((lv, l) =>
            center(levelName(IBOT_CENTER, l, ibotHead.levels.length), [1, 1, lv.prototypes]),
          ),
        )
      : [];

  const dropPathInputs = (): DropPath => {
    const scales = (set: string, n: number): Value =>
      input(
        `drop_path_${set}`,
        "float32",
        [bb.depth, 2, n],
        batch(
          `stochastic depth: per block, branch (attn, ffn) and ${set} crop, b/subset for kept samples, 0 for dropped (§12.27)`,
        ),
      );
    return dropPathResiduals({
      global: scales("global", 2 * B),
      ...(localCrops ? { local: scales("local", nLocal * B) } : {}),
    });
  };
  const dropPath = bb.dropPath > 0 ? at("backbone.drop_path", dropPathInputs) : null;

  const net = (p: typeof student, heads: Map<string, Value>, prefix: string): Network => ({
    backbone: p.params,
    heads,
    prefix,
  });
  return {
    studentSpecs,
    teacherSpecs,
    studentValues: studentSpecs.map(valueOf(byName)),
    teacherValues: teacherSpecs.map(valueOf(byName)),
    centers,
    objective: {
      student: net(student, studentHeads, ""),
      teacher: net(teacher, teacherHeads, TEACHER_PREFIX),
      globalCrops,
      localCrops,
      masks,
      masked,
      teacherTemp,
      ibotTeacherTemp,
      dinoCenters,
      ibotCenters,
      dropPath,
    },
  };
}

/** Metric outputs shared by the train and grad graphs. */
export function lossOutputs(g: GraphBuilder, out: ObjectiveOutputs, roles: Map<string, IoRoleInfo>): void {
  const metric = (name: string, v: Value, doc: string): void => {
    g.output(name, v);
    roles.set(name, { role: "metric", doc });
  };
  metric("loss", out.loss, "total loss = loss_dino + loss_ibot + loss_koleo");
  metric("loss_dino", out.dino, "weighted DINO CLS loss, summed over head levels (§3.3)");
  metric("loss_ibot", out.ibot, "weighted iBOT loss, summed over head levels (§3.4)");
  metric("loss_koleo", out.koleo, "weighted KoLeo loss of both global chunks (§3.5)");
}

/** Next centering states, in the order the inputs were declared. */
export function centerOutputs(
  g: GraphBuilder,
  inp: StepInputs,
  out: ObjectiveOutputs,
  roles: Map<string, IoRoleInfo>,
): void {
  const next = [...out.nextDinoCenters, ...out.nextIbotCenters];
  [...inp.centers.keys()].forEach((name, i) => {
    g.output(NEXT + name, next[i]!);
    roles.set(NEXT + name, { role: "state", next: name, doc: "centering state for the next step" });
  });
}

export function lowerTrainStep(ctx: StepContext): LoweredStep {
  const { ir } = ctx;
  checkTrainable(ir, "train");
  const g = new GraphBuilder(`${ir.name}.train`);
  const at = specSources(g, ir);
  // nodes no construct claims (gradient sums, the step counter's outputs) are attributed to the model
  return at("model", () => {
    const roles = new Map<string, IoRoleInfo>();
    const inp = declareStepInputs(g, ctx, roles);

    const moments = (prefix: string, role: "opt_m" | "opt_v"): Value[] =>
      inp.studentSpecs.map((s) => {
        roles.set(prefix + s.name, {
          role,
          next: NEXT + prefix + s.name,
          doc: `AdamW ${role === "opt_m" ? "first" : "second"} moment, zeros at start`,
        });
        return g.input(prefix + s.name, "float32", [...s.shape]);
      });
    const [ms, vs, step] = at("optim", () => [
      moments(OPT_M, "opt_m"),
      moments(OPT_V, "opt_v"),
      g.input("step", "int64", []),
    ]) as [Value[], Value[], Value];
    roles.set("step", {
      role: "step",
      next: `${NEXT}step`,
      doc: "optimiser steps taken so far (0 before the first); AdamW's t is step + 1",
    });
    const scalar = (path: string, name: string, key: string | undefined, doc: string): Value => {
      roles.set(name, { role: "schedule", ...(key ? { schedule: key } : {}), doc });
      return at(path, () => g.input(name, "float32", []));
    };
    const lr = scalar("optim.lr", "lr", "lr", "learning rate (scaled base lr, §7.1)");
    const wd = scalar("optim.weight_decay", "wd", "weight_decay", "weight decay (§7.1)");
    const momentum = scalar("teacher.momentum", "momentum", "teacher_momentum", "teacher EMA momentum (§6)");
    const lastLayerFactor = scalar(
      "optim.freeze_last_layer",
      "last_layer_lr_factor",
      undefined,
      `0 while the last layer is frozen (the first ${ir.optim.freezeLastLayerSteps} steps), then 1 (§7.1)`,
    );

    const out = sslObjective(g, ir, inp.objective);
    const grads = grad(g, out.loss, inp.studentValues);

    // §7.2: clip each student sub-module (backbone, dino_head, ibot_head) to its own norm
    const groups = [...new Set(inp.studentSpecs.map((s) => s.group))];
    const clipped = new Array<Value>(grads.length);
    const norms: Value[] = [];
    at("optim.clip", () => {
      for (const group of groups) {
        const idx = inp.studentSpecs.flatMap((s, i) => (s.group === group ? [i] : []));
        const c = clipGroup(
          g,
          idx.map((i) => grads[i]!),
          ir.optim.clip,
        );
        idx.forEach((i, k) => (clipped[i] = c.grads[k]!));
        norms.push(c.norm);
        g.output(`grad_norm.${group}`, c.norm);
        roles.set(`grad_norm.${group}`, { role: "metric", doc: `${group} gradient norm before clipping` });
      }
    });
    const gradNorm = at("optim.clip", () =>
      g.sqrt(norms.map((n) => g.mul(n, n)).reduce((a, b) => g.add(a, b))),
    );

    const adamw: AdamWConfig = { beta1: ir.optim.betas[0], beta2: ir.optim.betas[1], eps: ir.optim.eps };
    const state = (name: string, v: Value, role: IoRoleInfo["role"]): void => {
      g.output(NEXT + name, v);
      roles.set(NEXT + name, { role, next: name });
    };
    const updated = at("optim", () => {
      const bc = at("optim.betas", () => biasCorrection(g, g.add(step, g.scalar(1, "int64")), adamw));
      const rates = new RateTable(g, { lr, wd, lastLayerLr: g.mul(lr, lastLayerFactor) });
      return inp.studentSpecs.map((s, i) => {
        const r = adamwStep(g, inp.studentValues[i]!, clipped[i]!, ms[i]!, vs[i]!, rates.of(s), bc, adamw);
        state(s.name, r.param, "param");
        state(OPT_M + s.name, r.m, "opt_m");
        state(OPT_V + s.name, r.v, "opt_v");
        return r.param;
      });
    });
    const studentIndex = new Map(inp.studentSpecs.map((s, i) => [s.name, i]));
    at("teacher.momentum", () =>
      inp.teacherSpecs.forEach((s, i) => {
        const j = studentIndex.get(s.name.slice(TEACHER_PREFIX.length))!;
        state(s.name, emaUpdate(g, inp.teacherValues[i]!, updated[j]!, momentum), "teacher");
      }),
    );
    state(
      "step",
      at("optim", () => g.add(step, g.scalar(1, "int64"))),
      "step",
    );
    centerOutputs(g, inp, out, roles);
    lossOutputs(g, out, roles);
    g.output("grad_norm", gradNorm);
    roles.set("grad_norm", { role: "metric", doc: "‖gradients‖ over all modules, before clipping" });
    return { graph: g, roles, params: inp.studentSpecs };
  });
}

export const trainKind: GraphKind = {
  kind: "train",
  doc: "one SSL step: state + batch + schedules → next state + metrics (teacher, losses, autodiff, clip, AdamW, EMA)",
  lower: (ctx) => lowerTrainStep(ctx),
};
