// The whole SSL objective of one step (reference §3.1–§3.6), shared by the training-step and gradient graphs: teacher
// forward on the unmasked global crops (no gradient), teacher targets per head level (Sinkhorn or centering), student
// forward on the masked global crops and the local crops, then L = w_dino·Σ_ℓ L_dino^ℓ + w_koleo·Σ_chunks KoLeo +
// w_ibot·Σ_ℓ L_ibot^ℓ. Centering states come in and their next values go out; nothing here updates parameters.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { ModelIR } from "../../ir/model.js";
import { vitForward, type BackboneParams } from "../backbone/vit.js";
import { normalisePixels } from "../infer.js";
import { projectionHead } from "../heads/projection.js";
import { DINO_HEAD, ibotHeadUse } from "../heads/ibot.js";
import type { ParamValues } from "../heads/head-params.js";
import { centeredTargets, nextCenter } from "./centering.js";
import { dinoLoss } from "./dino.js";
import { gatherMasked, ibotLoss, validRowsOnly, type MaskedTokens } from "./ibot.js";
import { koleoLoss } from "./koleo.js";
import { sinkhornTargets } from "./sinkhorn.js";
import type { DropPath } from "./drop-path.js";
import { specSources } from "../source.js";

/** One network: backbone parameters grouped for vitForward, head parameters by state-dict name. */
export interface Network {
  readonly backbone: BackboneParams;
  readonly heads: ParamValues;
  /** module prefix of the head names: "" for the student, "teacher." for the teacher */
  readonly prefix: string;
}

export interface ObjectiveInputs {
  readonly student: Network;
  readonly teacher: Network;
  /** RGB in [0, 1]: [2B, C, Sg, Sg] crop-major, and [n_loc·B, C, Sl, Sl] (null without local crops) */
  readonly globalCrops: Value;
  readonly localCrops: Value | null;
  /** bool [2B, P] student masks, null when the model does not mask */
  readonly masks: Value | null;
  /** iBOT gather inputs, null when there is no iBOT loss */
  readonly masked: MaskedTokens | null;
  readonly teacherTemp: Value;
  readonly ibotTeacherTemp: Value | null;
  /** centering state per level (DINO [1, K_ℓ], iBOT [1, 1, K_ℓ]); empty for Sinkhorn targets */
  readonly dinoCenters: readonly Value[];
  readonly ibotCenters: readonly Value[];
  readonly dropPath: DropPath | null;
}

export interface ObjectiveOutputs {
  readonly loss: Value;
  /** weighted contributions: loss = dino + ibot + koleo */
  readonly dino: Value;
  readonly ibot: Value;
  readonly koleo: Value;
  readonly nextDinoCenters: Value[];
  readonly nextIbotCenters: Value[];
}

/** DINOv2's do_dino: without it neither the DINO terms nor KoLeo (computed inside the same branch) exist. */
export function hasDino(ir: ModelIR): boolean {
  return ir.losses.dino.weight > 0;
}

/** Whether the model trains with the iBOT loss (it needs masks and a head). */
export function hasIbot(ir: ModelIR): boolean {
  return ir.heads.ibot !== null && ir.losses.ibot.weight > 0 && ir.masking.kind !== "none";
}

export function sslObjective(g: GraphBuilder, ir: ModelIR, inp: ObjectiveInputs): ObjectiveOutputs {
  const bb = ir.backbone;
  const B = ir.train.batch;
  const nLocal = inp.localCrops ? ir.crops.local.count : 0;
  const dinoHead = ir.heads.dino;
  const ibotUse = hasIbot(ir) ? ibotHeadUse(ir.heads) : null;
  const at = specSources(g, ir);
  const norm = (x: Value): Value => at("input", () => normalisePixels(g, x, ir.input.mean, ir.input.std));
  const zero = g.scalar(0, "float32");
  const ibotHeadPath = ibotUse?.module === DINO_HEAD ? "heads.dino" : "heads.ibot";

  // ---- teacher (§6: eval mode, no drop path, unmasked global crops) --------------------------------------------
  const t = vitForward(g, bb, inp.teacher.backbone, norm(inp.globalCrops), { at });
  const tCls = g.stopGradient(t.cls);
  // §3.1, §12.18: [t_crop2; t_crop1] so row i of the targets is the other view of student row i
  const [tc1, tc2] = g.split(tCls, [B, B], 0) as [Value, Value];
  const doDino = hasDino(ir);
  const tLogits = doDino
    ? at("heads.dino", () =>
        projectionHead(
          g,
          dinoHead,
          inp.teacher.heads,
          inp.teacher.prefix + DINO_HEAD,
          g.concat([tc2, tc1], 0),
        ),
      )
    : [];
  const nextDinoCenters: Value[] = [];
  const dinoTargets = tLogits.map((z, l) =>
    at("losses.dino.targets", () => {
      if (ir.losses.dino.targets === "sinkhorn")
        // Franca's MRL DINO loss skips the Q/ΣQ pre-normalisation (§3.2 step 2)
        return sinkhornTargets(g, z, inp.teacherTemp, {
          iterations: ir.losses.dino.sinkhornIterations,
          preNormalise: dinoHead.nested === 1,
        });
      const c = inp.dinoCenters[l]!;
      nextDinoCenters.push(nextCenter(g, c, z, ir.losses.dino.centerMomentum));
      return centeredTargets(g, z, c, inp.teacherTemp);
    }),
  );

  let ibotTargets: Value[] = [];
  const nextIbotCenters: Value[] = [];
  const masked = inp.masked;
  if (ibotUse && masked) {
    const buffer = at("losses.ibot", () => gatherMasked(g, g.stopGradient(t.patchTokens), masked));
    const zs = at(ibotHeadPath, () =>
      projectionHead(g, ibotUse.head, inp.teacher.heads, inp.teacher.prefix + ibotUse.module, buffer),
    );
    const temp = inp.ibotTeacherTemp ?? inp.teacherTemp;
    ibotTargets = zs.map((z, l) =>
      at("losses.ibot.targets", () => {
        if (ir.losses.ibot.targets === "sinkhorn") {
          // DINOv2 runs the Sinkhorn on the n_masked real rows; Franca's tuple slicing keeps the zero-padded buffer
          // rows in it (§3.2, §12.17)
          const targets = sinkhornTargets(g, z, temp, {
            iterations: ir.losses.ibot.sinkhornIterations,
            preNormalise: true,
            samples: masked.count,
            ...(ibotUse.head.nested > 1 ? {} : { valid: masked.valid }),
          });
          return validRowsOnly(g, targets, masked);
        }
        const c = inp.ibotCenters[l]!;
        const flat = g.reshape(c, [1, c.shape[c.rank - 1]!]);
        // a batch without masked patches leaves the center as it is (the reference would divide by zero)
        const updated = nextCenter(g, flat, z, ir.losses.ibot.centerMomentum, {
          valid: masked.valid,
          count: masked.count,
        });
        nextIbotCenters.push(g.reshape(g.where(g.greater(masked.count, 0), updated, flat), c.shape));
        return validRowsOnly(g, centeredTargets(g, z, flat, temp), masked);
      }),
    );
  }

  // ---- student ------------------------------------------------------------------------------------------------
  const residual = (set: "global" | "local") => inp.dropPath?.residual(g, set);
  const sg = vitForward(g, bb, inp.student.backbone, norm(inp.globalCrops), {
    at,
    ...(inp.masks ? { masks: inp.masks } : {}),
    ...(residual("global") ? { residual: residual("global")! } : {}),
  });
  const sl = inp.localCrops
    ? vitForward(g, bb, inp.student.backbone, norm(inp.localCrops), {
        at,
        ...(residual("local") ? { residual: residual("local")! } : {}),
      })
    : null;
  const studentHead = (x: Value): Value[] =>
    at("heads.dino", () => projectionHead(g, dinoHead, inp.student.heads, DINO_HEAD, x));
  const sGlobal = doDino ? studentHead(sg.cls) : [];
  const sLocal = sl && doDino ? studentHead(sl.cls) : null;

  const dino = at("losses.dino", () => {
    let sum = zero;
    tLogits.forEach((_, l) => {
      const parts = dinoLoss(
        g,
        sGlobal[l]!,
        sLocal ? sLocal[l]! : null,
        dinoTargets[l]!,
        nLocal,
        ir.losses.dino.studentTemp,
      );
      sum = g.add(sum, g.add(parts.local, parts.global));
    });
    return g.mul(sum, ir.losses.dino.weight);
  });

  // §3.5: per global-crop chunk, on the backbone CLS of the masked student crops, summed
  let koleo = zero;
  if (doDino && ir.losses.koleo.weight > 0)
    koleo = at("losses.koleo", () => {
      const [c1, c2] = g.split(sg.cls, [B, B], 0) as [Value, Value];
      return g.mul(g.add(koleoLoss(g, c1), koleoLoss(g, c2)), ir.losses.koleo.weight);
    });

  let ibot = zero;
  if (ibotUse && masked) {
    const sBuffer = at("losses.ibot", () => gatherMasked(g, sg.patchTokens, masked));
    const sPatch = at(ibotHeadPath, () =>
      projectionHead(g, ibotUse.head, inp.student.heads, ibotUse.module, sBuffer),
    );
    ibot = at("losses.ibot", () => {
      let sum = zero;
      sPatch.forEach((s, l) => {
        sum = g.add(sum, ibotLoss(g, s, ibotTargets[l]!, masked, 2 * B, ir.losses.ibot.studentTemp));
      });
      return g.mul(sum, ir.losses.ibot.weight);
    });
  }

  const loss = at("losses", () => g.add(g.add(dino, koleo), ibot));
  return { loss, dino, ibot, koleo, nextDinoCenters, nextIbotCenters };
}
