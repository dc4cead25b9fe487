// The objective of one training step, shared by the training-step and gradient graphs: the model's loss terms
// (objectives/index.ts) over the forwards they share (reference §3.1): the teacher on the unmasked global crops (no
// gradient, §6), the student on the masked global crops and on the local crops, each built once on first use. Every
// active term's teacher part runs before any student part, terms on the CLS before terms on patch tokens; the loss is
// the sum of the weighted contributions in that order. Carried state (centres) comes in and its next value goes out;
// nothing here updates parameters.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { ModelIR } from "../../ir/model.js";
import { normalisePixels } from "../backbone/normalise.js";
import { vitForward, type VitOutputs } from "../backbone/vit.js";
import type { DropPath } from "../losses/drop-path.js";
import { specSources } from "../source.js";
import { loweringOrder, modelTerms, type LossTerm } from "./index.js";
import type { Network, TermInputs, TermOutput, Views } from "./term.js";

export interface ObjectiveInputs {
  readonly student: Network;
  /** null when no term needs a teacher */
  readonly teacher: Network | null;
  /** RGB in [0, 1]: [G·B, C, Sg, Sg] view-major, and [n_loc·B, C, Sl, Sl] (null without local crops) */
  readonly globalCrops: Value;
  readonly localCrops: Value | null;
  /** bool [G·B, P] student masks, null when the model does not mask the student's crops */
  readonly masks: Value | null;
  readonly dropPath: DropPath | null;
  /** each term's declared inputs, by term name */
  readonly terms: ReadonlyMap<string, TermInputs>;
}

export interface TermResult extends TermOutput {
  readonly term: LossTerm;
}

export interface ObjectiveOutputs {
  readonly loss: Value;
  /** one entry per term of the model, registry order (inactive terms contribute the scalar 0) */
  readonly terms: readonly TermResult[];
}

function sharedViews(g: GraphBuilder, ir: ModelIR, inp: ObjectiveInputs): Views {
  const at = specSources(g, ir);
  const normalise = (x: Value): Value =>
    at("input", () => normalisePixels(g, x, ir.input.mean, ir.input.std));
  const once = <T>(build: () => T): (() => T) => {
    let v: { value: T } | undefined;
    return () => (v ??= { value: build() }).value;
  };
  const residual = (set: "global" | "local") => inp.dropPath?.residual(g, set);
  const bb = ir.backbone;
  return {
    globalPixels: inp.globalCrops,
    normalise,
    // §6: eval mode, no drop path, unmasked global crops
    teacherGlobal: once((): VitOutputs => {
      const t = vitForward(g, bb, inp.teacher!.backbone, normalise(inp.globalCrops), { at });
      return { ...t, cls: g.stopGradient(t.cls) };
    }),
    studentGlobal: once(() =>
      vitForward(g, bb, inp.student.backbone, normalise(inp.globalCrops), {
        at,
        ...(inp.masks ? { masks: inp.masks } : {}),
        ...(residual("global") ? { residual: residual("global")! } : {}),
      }),
    ),
    studentLocal: once(() =>
      inp.localCrops
        ? vitForward(g, bb, inp.student.backbone, normalise(inp.localCrops), {
            at,
            ...(residual("local") ? { residual: residual("local")! } : {}),
          })
        : null,
    ),
  };
}

export function sslObjective(g: GraphBuilder, ir: ModelIR, inp: ObjectiveInputs): ObjectiveOutputs {
  const at = specSources(g, ir);
  const zero = g.scalar(0, "float32");
  const views = sharedViews(g, ir, inp);
  const context = (term: LossTerm) => ({
    g,
    ir,
    at,
    student: inp.student,
    teacher: inp.teacher,
    views,
    inputs: inp.terms.get(term.name) ?? new Map<string, Value>(),
    zero,
  });
  const terms = modelTerms(ir);
  const order = loweringOrder(terms.filter((t) => t.active(ir)));
  const fromTeacher = new Map<LossTerm, unknown>();
  for (const t of order) if (t.teacher) fromTeacher.set(t, t.teacher(context(t)));
  const outputs = new Map<LossTerm, TermOutput>();
  for (const t of order) outputs.set(t, t.student(context(t), fromTeacher.get(t)));
  const loss = at("losses", () =>
    loweringOrder(terms)
      .map((t) => outputs.get(t)?.loss ?? zero)
      .reduce((a, b) => g.add(a, b)),
  );
  return { loss, terms: terms.map((term) => ({ term, loss: zero, ...outputs.get(term) })) };
}
