// The gradient graph: the training step's inputs minus the optimiser state, returning the loss, its parts and
// `grad.<name>` for every trainable student parameter — the raw gradients, before clipping. Used to check our
// autodiff against PyTorch (test/fixtures/torch/grads_*.json) and by runners that bring their own optimiser.
import { GraphBuilder } from "../graph/builder.js";
import type { GraphKind } from "./compile.js";
import type { IoRoleInfo } from "./manifest.js";
import { GRAD } from "./contract.js";
import { sslObjective } from "./objectives/objective.js";
import { specSources } from "./source.js";
import {
  checkTrainable,
  declareStepInputs,
  gradWithShares,
  shareOutputs,
  lossOutputs,
  stateOutputs,
  type LoweredStep,
  type StepContext,
} from "./train-step.js";

export function lowerGrad(ctx: StepContext): LoweredStep {
  checkTrainable(ctx.ir, "grad");
  const g = new GraphBuilder(`${ctx.ir.name}.grad`);
  // nodes no construct claims (gradient sums) are attributed to the model
  return specSources(g, ctx.ir)("model", () => {
    const roles = new Map<string, IoRoleInfo>();
    const inp = declareStepInputs(g, ctx, roles);
    const out = sslObjective(g, ctx.ir, inp.objective);
    const trainable = inp.studentSpecs.flatMap((s, i) =>
      s.trainable ? [{ s, v: inp.studentValues[i]! }] : [],
    );
    const { grads, shares } = gradWithShares(
      g,
      out,
      trainable.map((t) => t.v),
    );
    lossOutputs(g, ctx.ir, out, roles);
    shareOutputs(g, shares, roles);
    trainable.forEach(({ s }, i) => {
      g.output(GRAD + s.name, grads[i]!);
      roles.set(GRAD + s.name, { role: "grad", doc: `∂loss/∂${s.name}` });
    });
    stateOutputs(g, inp, out, roles);
    return { graph: g, roles, params: inp.studentSpecs };
  });
}

export const gradKind: GraphKind = {
  kind: "grad",
  doc: "student/teacher parameters + batch → loss and grad.<name> for every trainable parameter (no optimiser)",
  lower: (ctx) => lowerGrad(ctx),
};
