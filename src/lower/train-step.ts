// The training-step graph: one complete SSL step as a pure function (docs/graph-contract.md). Inputs are the whole
// training state — student parameters (state-dict names), teacher parameters (`teacher.` prefix, when a loss term
// needs a teacher), AdamW moments (`opt_m.`, `opt_v.`), the step counter, the loss terms' carried state (centres) —
// plus the scheduled scalars and one batch; outputs are the next value of every state tensor (`new.<input>`, fed back
// by the runner) and the metrics. Inside: the model's loss terms (objectives/), our reverse-mode autodiff, per-module
// clipping (§7.2), AdamW with the parameter groups' multipliers (§7.2), then the teacher EMA with the updated student
// (§6). Names come from contract.ts. Batch size is fixed at compile time.
import { DiagnosticBag, DiagnosticError, InternalError } from "../diagnostics/diagnostic.js";
import { GraphBuilder } from "../graph/builder.js";
import { grad } from "../graph/autodiff.js";
import type { Value } from "../graph/ir.js";
import type { Backbone, ModelIR } from "../ir/model.js";
import { gridOf } from "../ir/model.js";
import { backboneMaskToken } from "./backbone/params.js";
import { backboneParams } from "./backbone/vit.js";
import type { GraphKind } from "./compile.js";
import {
  BATCH,
  GRAD_NORM,
  GRAD_SHARE,
  LOSS,
  NEXT,
  OPT_M,
  OPT_V,
  SCHEDULE_INPUT,
  SCHEDULE_KEY,
  STEP,
  studentName,
  TEACHER,
  termLoss,
} from "./contract.js";
import type { IoRoleInfo, MetricWatch } from "./manifest.js";
import type { ParamSpec } from "./params.js";
import { dropPathResiduals, type DropPath } from "./losses/drop-path.js";
import { modelHeadSpecs, modelTerms, needsTeacher } from "./objectives/index.js";
import { sslObjective, type ObjectiveInputs, type ObjectiveOutputs } from "./objectives/objective.js";
import type { Declare, Network, TermInputs } from "./objectives/term.js";
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
 * What the step lowering cannot express, as diagnostics: each term of the model may refuse (the DINO/iBOT step
 * pairs exactly two global crops, §3.1).
 */
export function checkTrainable(ir: ModelIR, graph: string): void {
  const bag = new DiagnosticBag();
  for (const t of modelTerms(ir)) {
    const why = t.untrainable?.(ir);
    if (why) bag.report("GraphNotAvailable", ir.spans.get(why.path), [graph, why.reason]);
  }
  if (bag.hasErrors) throw new DiagnosticError(bag.items);
}

/** A carried state input a term declared, and the term whose output gives its next value. */
interface TermState {
  readonly term: string;
  readonly name: string;
  readonly nextDoc: string;
}

/** The state, batch and schedule inputs the train and grad graphs share, declared on `g`. */
export interface StepInputs {
  readonly studentSpecs: readonly ParamSpec[];
  /** empty when no term needs a teacher */
  readonly teacherSpecs: readonly ParamSpec[];
  /** student parameter values in spec order (what the gradient is taken with respect to) */
  readonly studentValues: readonly Value[];
  readonly teacherValues: readonly Value[];
  readonly objective: ObjectiveInputs;
  /** the terms' carried state inputs, declaration order */
  readonly states: readonly TermState[];
}

/**
 * Declares the parameters (as graph inputs, so the manifest lists them), the views, every term's batch, schedule
 * and state inputs, and the stochastic-depth scales, recording each input's role in `roles`.
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
  const terms = modelTerms(ir);
  const input = (
    name: string,
    dtype: "float32" | "int64" | "bool",
    shape: readonly (number | string)[],
    info: IoRoleInfo,
  ): Value => {
    roles.set(name, info);
    return g.input(name, dtype, [...shape]);
  };
  const declare = (role: "param" | "teacher") => (s: ParamSpec) =>
    input(s.name, "float32", [...s.shape], {
      role,
      doc: role === "teacher" ? "EMA teacher parameter" : "student parameter",
    });

  const maskToken = backboneMaskToken(ir);
  const student = at("backbone", () =>
    backboneParams(bb, declare("param"), { optim: ir.optim, channels, maskToken }),
  );
  const studentHeadSpecs = modelHeadSpecs(ir);
  const studentHeads = at("heads", () => new Map(studentHeadSpecs.map((s) => [s.name, declare("param")(s)])));
  const withTeacher = needsTeacher(ir);
  const teacher = withTeacher
    ? at("teacher", () => backboneParams(bb, declare("teacher"), { prefix: TEACHER, channels, maskToken }))
    : null;
  const teacherHeadSpecs = withTeacher ? modelHeadSpecs(ir, TEACHER) : [];
  const teacherHeads = at(
    "teacher",
    () => new Map(teacherHeadSpecs.map((s) => [s.name, declare("teacher")(s)])),
  );
  const studentSpecs = [...student.specs, ...studentHeadSpecs];
  const teacherSpecs = teacher ? [...teacher.specs, ...teacherHeadSpecs] : [];
  const valueOf = (m: ReadonlyMap<string, Value>) => (s: ParamSpec) => m.get(s.name)!;
  const byName = new Map<string, Value>(g.inputs.map((v) => [v.name!, v]));

  const batch = (doc: string): IoRoleInfo => ({ role: "batch", doc });
  const views = ir.crops.global.count;
  const sg = ir.crops.global.size;
  const sl = ir.crops.local.size;
  const nLocal = ir.crops.local.count;
  const globalCrops = at("crops.global", () =>
    input(
      BATCH.globalCrops,
      "float32",
      [views * B, channels, sg, sg],
      batch("RGB in [0, 1], [2B, C, Sg, Sg], all crop-1 images then all crop-2 images"),
    ),
  );
  const localCrops =
    nLocal > 0
      ? at("crops.local", () =>
          input(
            BATCH.localCrops,
            "float32",
            [nLocal * B, channels, sl, sl],
            batch("RGB in [0, 1], [n_loc·B, C, Sl, Sl], crop-major"),
          ),
        )
      : null;
  const patches = gridOf(sg, bb.patch) ** 2;
  // block and cyclic masks replace the student's patch tokens; MAE's random masking is its term's input
  const masks =
    ir.masking.kind === "block" || ir.masking.kind === "cyclic"
      ? at("masking", () =>
          input(
            BATCH.masks,
            "bool",
            [views * B, patches],
            batch("student masks [2B, P], true = masked (§4.1)"),
          ),
        )
      : null;

  const states: TermState[] = [];
  const declarer = (term: string): Declare => ({
    g,
    at,
    batch: (name, dtype, shape, doc) => input(name, dtype, shape, batch(doc)),
    schedule: (name, key, doc) => input(name, "float32", [], { role: "schedule", schedule: key, doc }),
    state: (name, shape, doc, nextDoc) => {
      states.push({ term, name, nextDoc });
      return input(name, "float32", shape, { role: "state", next: NEXT + name, doc });
    },
  });
  const termInputs = new Map<string, TermInputs>(terms.map((t) => [t.name, new Map()]));
  for (const t of terms) t.declareBatch?.(declarer(t.name), ir, termInputs.get(t.name)!);
  for (const t of terms) t.declareSchedules?.(declarer(t.name), ir, termInputs.get(t.name)!);
  for (const t of terms) t.declareState?.(declarer(t.name), ir, termInputs.get(t.name)!);

  const dropPathInputs = (): DropPath => {
    const scales = (name: string, set: string, n: number): Value =>
      input(
        name,
        "float32",
        [bb.depth, 2, n],
        batch(
          `stochastic depth: per block, branch (attn, ffn) and ${set} crop, b/subset for kept samples, 0 for dropped (§12.27)`,
        ),
      );
    return dropPathResiduals({
      global: scales(BATCH.dropPathGlobal, "global", views * B),
      ...(localCrops ? { local: scales(BATCH.dropPathLocal, "local", nLocal * B) } : {}),
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
    states,
    objective: {
      student: net(student, studentHeads, ""),
      teacher: teacher ? net(teacher, teacherHeads, TEACHER) : null,
      globalCrops,
      localCrops,
      masks,
      dropPath,
      terms: termInputs,
    },
  };
}

/**
 * Gradients of the loss with respect to `wrt`, and from the same backward pass each term's share of the gradient
 * norm at the student tokens it reads (its taps): ‖∂L/∂tap_t‖ / Σ_u ‖∂L/∂tap_u‖, output as `grad_share.<term>`.
 */
export function gradWithShares(
  g: GraphBuilder,
  out: ObjectiveOutputs,
  wrt: readonly Value[],
): { grads: Value[]; shares: [string, Value][] } {
  const tapped = out.terms.filter((r) => r.taps?.length);
  const taps = tapped.flatMap((r) => r.taps!);
  const all = grad(g, out.loss, [...wrt, ...taps]);
  if (tapped.length === 0) return { grads: all, shares: [] };
  let k = wrt.length;
  const norms = tapped.map((r) => {
    const squares = r.taps!.map(() => {
      const d = all[k++]!;
      return g.reduceSum(
        g.mul(d, d),
        d.shape.map((_, i) => i),
      );
    });
    return g.sqrt(squares.reduce((a, b) => g.add(a, b)));
  });
  const total = g.max(
    norms.reduce((a, b) => g.add(a, b)),
    1e-30,
  );
  return {
    grads: all.slice(0, wrt.length),
    shares: tapped.map((r, i) => [r.term.name, g.div(norms[i]!, total)]),
  };
}

/** The grad_share.<term> outputs (after the terms' metrics). */
export function shareOutputs(
  g: GraphBuilder,
  shares: [string, Value][],
  roles: Map<string, IoRoleInfo>,
): void {
  for (const [term, v] of shares) {
    const name = `${GRAD_SHARE}.${term}`;
    g.output(name, v);
    roles.set(name, {
      role: "metric",
      doc: `share of the gradient norm at the student tokens that comes from ${termLoss(term)}`,
    });
  }
}

/** Metric outputs shared by the train and grad graphs: the loss, each term's contribution, then its monitors. */
export function lossOutputs(
  g: GraphBuilder,
  ir: ModelIR,
  out: ObjectiveOutputs,
  roles: Map<string, IoRoleInfo>,
): void {
  const metric = (name: string, v: Value, doc: string, watch?: MetricWatch): void => {
    g.output(name, v);
    roles.set(name, { role: "metric", doc, ...(watch ? { watch } : {}) });
  };
  metric(LOSS, out.loss, `total loss = ${out.terms.map((r) => termLoss(r.term.name)).join(" + ")}`);
  for (const r of out.terms) {
    const uniform = r.term.active(ir) ? r.term.dynamics?.(ir)?.uniform : undefined;
    metric(termLoss(r.term.name), r.loss, r.term.doc, uniform ? { plateau: uniform } : undefined);
  }
  for (const r of out.terms)
    for (const m of r.term.monitors?.(ir) ?? []) {
      const v = r.monitors?.get(m.name);
      if (!v) throw new InternalError(`loss term ${r.term.name} declared monitor ${m.name} but built none`);
      metric(m.name, v, m.doc, m.watch);
    }
}

/** Next values of the terms' carried state, in the order the inputs were declared. */
export function stateOutputs(
  g: GraphBuilder,
  inp: StepInputs,
  out: ObjectiveOutputs,
  roles: Map<string, IoRoleInfo>,
): void {
  const byTerm = new Map(out.terms.map((r) => [r.term.name, r]));
  for (const s of inp.states) {
    const next = byTerm.get(s.term)?.next?.get(s.name);
    if (!next) throw new InternalError(`loss term ${s.term} declared state ${s.name} but gave no next value`);
    g.output(NEXT + s.name, next);
    roles.set(NEXT + s.name, { role: "state", next: s.name, doc: s.nextDoc });
  }
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
      g.input(STEP, "int64", []),
    ]) as [Value[], Value[], Value];
    roles.set(STEP, {
      role: "step",
      next: NEXT + STEP,
      doc: "optimiser steps taken so far (0 before the first); AdamW's t is step + 1",
    });
    const scalar = (path: string, name: string, key: string | undefined, doc: string): Value => {
      roles.set(name, { role: "schedule", ...(key ? { schedule: key } : {}), doc });
      return at(path, () => g.input(name, "float32", []));
    };
    const lr = scalar("optim.lr", SCHEDULE_INPUT.lr, SCHEDULE_KEY.lr, "learning rate (scaled base lr, §7.1)");
    const wd = scalar(
      "optim.weight_decay",
      SCHEDULE_INPUT.wd,
      SCHEDULE_KEY.weightDecay,
      "weight decay (§7.1)",
    );
    const momentum =
      inp.teacherSpecs.length > 0
        ? scalar(
            "teacher.momentum",
            SCHEDULE_INPUT.momentum,
            SCHEDULE_KEY.teacherMomentum,
            "teacher EMA momentum (§6)",
          )
        : null;
    const lastLayerFactor = inp.studentSpecs.some((s) => s.lastLayer)
      ? scalar(
          "optim.freeze_last_layer",
          SCHEDULE_INPUT.lastLayerLrFactor,
          undefined,
          `0 while the last layer is frozen (the first ${ir.optim.freezeLastLayerSteps} steps), then 1 (§7.1)`,
        )
      : null;

    const out = sslObjective(g, ir, inp.objective);
    const { grads, shares } = gradWithShares(g, out, inp.studentValues);

    // §7.2: clip each student sub-module (backbone, each head) to its own norm
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
        g.output(`${GRAD_NORM}.${group}`, c.norm);
        roles.set(`${GRAD_NORM}.${group}`, { role: "metric", doc: `${group} gradient norm before clipping` });
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
      const lastLayerLr = lastLayerFactor ? g.mul(lr, lastLayerFactor) : lr;
      const rates = new RateTable(g, { lr, wd, lastLayerLr });
      return inp.studentSpecs.map((s, i) => {
        const r = adamwStep(g, inp.studentValues[i]!, clipped[i]!, ms[i]!, vs[i]!, rates.of(s), bc, adamw);
        state(s.name, r.param, "param");
        state(OPT_M + s.name, r.m, "opt_m");
        state(OPT_V + s.name, r.v, "opt_v");
        return r.param;
      });
    });
    const studentIndex = new Map(inp.studentSpecs.map((s, i) => [s.name, i]));
    if (momentum)
      at("teacher.momentum", () =>
        inp.teacherSpecs.forEach((s, i) => {
          const j = studentIndex.get(studentName(s.name))!;
          state(s.name, emaUpdate(g, inp.teacherValues[i]!, updated[j]!, momentum), "teacher");
        }),
      );
    state(
      STEP,
      at("optim", () => g.add(step, g.scalar(1, "int64"))),
      "step",
    );
    stateOutputs(g, inp, out, roles);
    lossOutputs(g, ir, out, roles);
    shareOutputs(g, shares, roles);
    g.output(GRAD_NORM, gradNorm);
    roles.set(GRAD_NORM, { role: "metric", doc: "‖gradients‖ over all modules, before clipping" });
    return { graph: g, roles, params: inp.studentSpecs };
  });
}

export const trainKind: GraphKind = {
  kind: "train",
  doc: "one SSL step: state + batch + schedules → next state + metrics (teacher, losses, autodiff, clip, AdamW, EMA)",
  lower: (ctx) => lowerTrainStep(ctx),
};
