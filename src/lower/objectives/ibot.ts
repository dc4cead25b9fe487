// The iBOT masked-patch loss (reference §3.4, §4.1): the teacher's patch tokens at the student's masked positions,
// gathered into a fixed-size buffer whose size is a compile-time bound (the host feeds the indices and per-image
// weights), go through the iBOT head — its own (`ibot_head`) or the DINO head (`separate false`) — to targets per
// level; the student's masked patch tokens through the same head are compared with them. Centering targets carry one
// [1, 1, K] centre per level.
import type { Value } from "../../graph/ir.js";
import { checkSchedule } from "../../ir/check/schedules.js";
import { spanOf, type ModelIR } from "../../ir/model.js";
import { gridOf } from "../../ir/model.js";
import { BATCH } from "../contract.js";
import { checkHeadOptions, checkHeadShapes } from "../heads/check.js";
import { headFlops, headParams } from "../heads/cost.js";
import { DINO_HEAD, IBOT_HEAD, ibotHeadUse } from "../heads/ibot.js";
import { headInfo, headJson } from "../heads/info.js";
import { projectionHead, projectionHeadSpecs } from "../heads/projection.js";
import { CENTER_DOC, centeredTargets, NEXT_CENTER_DOC, nextCenter } from "../losses/centering.js";
import { gatherMasked, ibotLoss, maskUpperbound, validRowsOnly, type MaskedTokens } from "../losses/ibot.js";
import { sinkhornTargets } from "../losses/sinkhorn.js";
import { estimateLoss } from "../../ir/dynamics.js";
import { meanEntropy, prototypesInUse, softmaxEntropy } from "../monitors.js";
import { defineTerm, type MetricDecl, type TermInputs } from "./term.js";
import { levelName } from "./util.js";

/** DINOv2's `ibot_patch_loss.center` buffer; `ibot_patch_loss.center.<level>` with nested heads. */
export const IBOT_CENTER = "ibot_patch_loss.center";
const TEACHER_TEMP = "ibot_teacher_temp";
/** derived values the term keeps beside its inputs */
const VALID = "valid";
const COUNT = "count";

/** The head keys a shared iBOT head ignores (VFM3015). */
const HEAD_KEYS = [
  "layers",
  "hidden",
  "bottleneck",
  "prototypes",
  "l2norm",
  "nested",
  "gelu_after_bottleneck",
];

/** Whether the model trains with the iBOT loss (it needs masks and a head). */
function hasIbot(ir: ModelIR): boolean {
  return ir.heads.ibot !== null && ir.losses.ibot.weight > 0 && ir.masking.kind !== "none";
}

function maskedTokens(inputs: TermInputs): MaskedTokens {
  const get = (name: string): Value => inputs.get(name)!;
  return {
    indices: get(BATCH.maskIndices),
    weights: get(BATCH.maskWeights),
    valid: get(VALID),
    count: get(COUNT),
  };
}

/** Masked tokens in the buffer: int(G·B·images) images × mean mask ratio × patches per global crop. */
function maskedTokenCount(m: ModelIR): number {
  if (m.masking.kind === "none" || !m.heads.ibot) return 0;
  const images = Math.floor(m.crops.global.count * m.train.batch * m.masking.images);
  const g = gridOf(m.crops.global.size, m.backbone.patch);
  return Math.round(images * ((m.masking.ratio.lo + m.masking.ratio.hi) / 2) * g * g);
}

/** Per head level: the teacher targets' and the student's entropy, and how many prototypes the targets use. */
function monitors(ir: ModelIR): MetricDecl[] {
  const levels = ibotHeadUse(ir.heads)!.head.levels;
  const at = (base: string, l: number) => levelName(base, l, levels.length);
  return levels.flatMap((lv, l) => [
    {
      name: at("ibot_target_entropy", l),
      doc: `entropy of the teacher targets of the masked patches, nats (log K = ${Math.log(lv.prototypes).toFixed(3)} is uniform)`,
    },
    {
      name: at("ibot_student_entropy", l),
      doc: "entropy of the student's predictions on the masked patches, nats",
    },
    {
      name: at("ibot_prototypes", l),
      doc: `prototypes the teacher uses on the masked patches: exp of the entropy of their mean target (of ${lv.prototypes})`,
      watch: { outOf: lv.prototypes },
    },
  ]);
}

interface IbotTargets {
  readonly targets: readonly Value[];
  readonly next: ReadonlyMap<string, Value>;
}

export const ibot = defineTerm<IbotTargets>({
  name: "ibot",
  doc: "weighted iBOT loss, summed over head levels (§3.4)",
  reads: ["losses.ibot", "heads.ibot", "masking"],
  tokens: "patches",
  needsTeacher: true,
  active: hasIbot,
  // DINOv2 builds ibot_head only when the iBOT loss is on and the head is its own
  heads: (ir, prefix) =>
    hasIbot(ir) && ir.heads.ibot!.separate
      ? projectionHeadSpecs(ir.heads.ibot!, ir.backbone.dim, IBOT_HEAD, prefix)
      : [],
  checkpointModules: [IBOT_HEAD, "ibot_patch_loss"],

  declareBatch(d, ir, inputs) {
    if (!hasIbot(ir)) return;
    const { g } = d;
    const n2 = ir.crops.global.count * ir.train.batch;
    const patches = gridOf(ir.crops.global.size, ir.backbone.patch) ** 2;
    d.at("masking", () => {
      const u = maskUpperbound(ir.masking.ratio, ir.masking.images, n2, patches);
      inputs.set(
        BATCH.maskIndices,
        d.batch(
          BATCH.maskIndices,
          "int64",
          [u],
          `flat indices into [2B·P] of the masked patches, padded to the upper bound ${u}`,
        ),
      );
      inputs.set(
        BATCH.maskWeights,
        d.batch(BATCH.maskWeights, "float32", [u], "1/m_i per masked patch of image i, 0 for padding"),
      );
      const n = d.batch(BATCH.nMasked, "int64", [], "number of masked patches (valid slots of mask_indices)");
      inputs.set(BATCH.nMasked, n);
      const slots = g.constant(
        BigInt64Array.from({ length: u }, (_, i) => BigInt(i)),
        "int64",
        [u],
      );
      inputs.set(VALID, g.cast(g.less(slots, n), "float32"));
      inputs.set(COUNT, g.cast(n, "float32"));
    });
  },
  declareSchedules(d, ir, inputs) {
    if (!hasIbot(ir)) return;
    inputs.set(
      TEACHER_TEMP,
      d.at("losses.ibot.teacher_temp", () =>
        d.schedule(TEACHER_TEMP, TEACHER_TEMP, "iBOT teacher temperature"),
      ),
    );
  },
  declareState(d, ir, inputs) {
    if (!hasIbot(ir) || ir.losses.ibot.targets !== "centering") return;
    const levels = ibotHeadUse(ir.heads)!.head.levels;
    d.at("losses.ibot.targets", () =>
      levels.forEach((lv, l) => {
        const name = levelName(IBOT_CENTER, l, levels.length);
        inputs.set(name, d.state(name, [1, 1, lv.prototypes], CENTER_DOC, NEXT_CENTER_DOC));
      }),
    );
  },
  monitors: (ir) => (hasIbot(ir) ? monitors(ir) : []),
  dynamics(ir) {
    const n = maskedTokenCount(ir);
    if (!hasIbot(ir) || n === 0) return undefined;
    const use = ibotHeadUse(ir.heads)!;
    const images = ir.crops.global.count * ir.train.batch;
    return estimateLoss({
      term: "ibot",
      head: use.head,
      headPath: use.module === DINO_HEAD ? "heads.dino" : "heads.ibot",
      dim: ir.backbone.dim,
      loss: ir.losses.ibot,
      // DINOv2 all-reduces the Sinkhorn sums over the devices (§3.2)
      samples: n * ir.train.devices,
      samplesAre: "masked patches × devices",
      // patch tokens carry their own pixels from the start; the student's masked ones are unrelated to the targets
      samplesCoincide: false,
      // the loss divides by all 2B images, of which int(2B·images) are masked (losses/ibot.ts)
      factor: (ir.losses.ibot.weight * Math.floor(images * ir.masking.images)) / images,
    });
  },
  schedules: (ir): Record<string, typeof ir.losses.ibot.teacherTemp> =>
    ir.losses.ibot.weight > 0 ? { [TEACHER_TEMP]: ir.losses.ibot.teacherTemp } : {},

  teacher({ g, ir, at, teacher, views, inputs }) {
    const use = ibotHeadUse(ir.heads)!;
    const headPath = use.module === DINO_HEAD ? "heads.dino" : "heads.ibot";
    const loss = ir.losses.ibot;
    const masked = maskedTokens(inputs);
    const buffer = at("losses.ibot", () =>
      gatherMasked(g, g.stopGradient(views.teacherGlobal().patchTokens), masked),
    );
    const zs = at(headPath, () =>
      projectionHead(g, use.head, teacher!.heads, teacher!.prefix + use.module, buffer),
    );
    const temp = inputs.get(TEACHER_TEMP)!;
    const state = [...inputs.entries()].filter(([name]) => name.startsWith(IBOT_CENTER));
    const next = new Map<string, Value>();
    const targets = zs.map((z, l) =>
      at("losses.ibot.targets", () => {
        if (loss.targets === "sinkhorn") {
          // DINOv2 runs the Sinkhorn on the n_masked real rows; Franca's tuple slicing keeps the zero-padded buffer
          // rows in it (§3.2, §12.17)
          const t = sinkhornTargets(g, z, temp, {
            iterations: loss.sinkhornIterations,
            preNormalise: true,
            samples: masked.count,
            ...(use.head.nested > 1 ? {} : { valid: masked.valid }),
          });
          return validRowsOnly(g, t, masked);
        }
        const [name, c] = state[l]!;
        const flat = g.reshape(c, [1, c.shape[c.rank - 1]!]);
        // a batch without masked patches leaves the center as it is (the reference would divide by zero)
        const updated = nextCenter(g, flat, z, loss.centerMomentum, {
          valid: masked.valid,
          count: masked.count,
        });
        next.set(name, g.reshape(g.where(g.greater(masked.count, 0), updated, flat), c.shape));
        return validRowsOnly(g, centeredTargets(g, z, flat, temp), masked);
      }),
    );
    return { targets, next };
  },

  student({ g, ir, at, student, views, inputs, zero }, t) {
    const use = ibotHeadUse(ir.heads)!;
    const headPath = use.module === DINO_HEAD ? "heads.dino" : "heads.ibot";
    const masked = maskedTokens(inputs);
    const tap = g.identity(views.studentGlobal().patchTokens);
    const sBuffer = at("losses.ibot", () => gatherMasked(g, tap, masked));
    const sPatch = at(headPath, () => projectionHead(g, use.head, student.heads, use.module, sBuffer));
    const images = ir.crops.global.count * ir.train.batch;
    const loss = at("losses.ibot", () => {
      let sum = zero;
      sPatch.forEach((s, l) => {
        sum = g.add(sum, ibotLoss(g, s, t!.targets[l]!, masked, images, ir.losses.ibot.studentTemp));
      });
      return g.mul(sum, ir.losses.ibot.weight);
    });
    const rows = { valid: masked.valid, count: masked.count };
    const decls = monitors(ir);
    const values = t!.targets.flatMap((targets, l) => [
      meanEntropy(g, targets, rows),
      softmaxEntropy(g, sPatch[l]!, ir.losses.ibot.studentTemp, rows),
      prototypesInUse(g, targets, rows),
    ]);
    return { loss, next: t!.next, taps: [tap], monitors: new Map(decls.map((d, i) => [d.name, values[i]!])) };
  },

  check(ctx) {
    const { model, values, bag } = ctx;
    const { masking, losses, heads, train, crops } = model;
    if (losses.ibot.weight > 0 && masking.kind === "none")
      bag.report(
        "IbotWithoutMasking",
        spanOf(model, values.has("losses.ibot.weight") ? "losses.ibot.weight" : "masking"),
        [losses.ibot.weight],
      );
    if (losses.ibot.weight === 0 && masking.kind !== "none")
      bag.report("MaskingWithoutIbot", spanOf(model, "masking"), [masking.kind]);
    if (
      masking.kind !== "none" &&
      losses.ibot.weight > 0 &&
      Math.floor(crops.global.count * train.batch * masking.images) === 0
    )
      bag.report("NoMaskedImages", spanOf(model, "masking.images"), [masking.images, train.batch]);
    if (heads.ibot && !heads.ibot.separate)
      for (const k of HEAD_KEYS)
        if (values.has(`heads.ibot.${k}`))
          bag.report("SharedHeadKeyIgnored", spanOf(model, `heads.ibot.${k}`), [k]);
    if (heads.ibot?.separate) {
      checkHeadShapes(ctx, "ibot", heads.ibot);
      checkHeadOptions(ctx, "ibot", heads.ibot);
    }
    // the temperature defaults to the DINO one; checked only when written, or its errors would repeat
    if (values.has("losses.ibot.teacher_temp"))
      checkSchedule(ctx, "losses.ibot.teacher_temp", losses.ibot.teacherTemp);
  },
  costs(ir) {
    const D = ir.backbone.dim;
    const head = ir.heads.ibot;
    const flops = head ? headFlops(head, D) * maskedTokenCount(ir) : 0;
    return {
      heads: [
        {
          module: IBOT_HEAD,
          params: head?.separate ? headParams(head, D) : 0,
          section: "heads.ibot",
          ...(head?.separate ? { head } : {}),
          ...(head?.separate
            ? {}
            : {
                note: head
                  ? "iBOT uses the DINO head (`separate false`)"
                  : "iBOT is off (losses.ibot.weight 0): no head",
              }),
        },
      ],
      teacherFlops: flops,
      studentFlops: flops,
    };
  },
  info(ir) {
    const h = ir.heads.ibot;
    return {
      recipe: [["ibot head", h ? (h.separate ? headInfo(h) : "shares the DINO head") : "off"]],
      loss: `ibot ${ir.losses.ibot.weight}`,
      json: { heads: { ibot: h ? { separate: h.separate, ...headJson(h) } : null } },
    };
  },
});
