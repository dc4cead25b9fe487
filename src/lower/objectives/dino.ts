// The DINO CLS loss (reference §3.1–§3.3): the teacher's DINO head on the CLS of its two unmasked global crops gives
// targets per head level (Sinkhorn–Knopp or a centred softmax, §3.2), each student crop's CLS through the same head
// is compared with the other view's targets (§3.3), summed over the Matryoshka levels and weighted. With centering
// targets the term carries one centre per level, updated from the teacher logits (§3.2).
import type { Value } from "../../graph/ir.js";
import { checkSchedule } from "../../ir/check/schedules.js";
import { headInfo, headJson } from "../heads/info.js";
import { checkHeadOptions, checkHeadShapes } from "../heads/check.js";
import { headFlops, headParams } from "../heads/cost.js";
import { DINO_HEAD } from "../heads/ibot.js";
import { projectionHead, projectionHeadSpecs } from "../heads/projection.js";
import { CENTER_DOC, centeredTargets, NEXT_CENTER_DOC, nextCenter } from "../losses/centering.js";
import { dinoLoss } from "../losses/dino.js";
import { sinkhornTargets } from "../losses/sinkhorn.js";
import { clsTokensCoincide, estimateLoss } from "../../ir/dynamics.js";
import { checkWarmupShare } from "../../ir/check/dynamics.js";
import type { ModelIR } from "../../ir/model.js";
import { featureSpread, meanEntropy, prototypesInUse, softmaxEntropy } from "../monitors.js";
import { defineTerm, type MetricDecl, type TermInputs } from "./term.js";
import { formatSchedule, levelName } from "./util.js";

/** DINOv2's `dino_loss.center` buffer; `dino_loss.center.<level>` with nested heads. */
export const DINO_CENTER = "dino_loss.center";
const TEACHER_TEMP = "teacher_temp";

/** Per head level: the teacher targets' and the student's entropy, and how many prototypes the targets use. */
function monitors(ir: ModelIR): MetricDecl[] {
  const levels = ir.heads.dino.levels;
  const at = (base: string, l: number) => levelName(base, l, levels.length);
  return [
    ...levels.flatMap((lv, l) => [
      {
        name: at("dino_target_entropy", l),
        doc: `entropy of the teacher targets, nats (log K = ${Math.log(lv.prototypes).toFixed(3)} is uniform)`,
      },
      {
        name: at("dino_student_entropy", l),
        doc: "entropy of the student's predictions on the global crops, nats",
      },
      {
        name: at("dino_prototypes", l),
        doc: `prototypes the teacher uses: exp of the entropy of the batch-mean target (of ${lv.prototypes})`,
        watch: { outOf: lv.prototypes },
      },
    ]),
    {
      name: "dino_cls_std",
      doc: "spread of the student's backbone CLS over the batch: std of the L2-normalised features × √D (0 = collapse)",
    },
  ];
}

interface DinoTargets {
  readonly targets: readonly Value[];
  readonly next: ReadonlyMap<string, Value>;
}

/** The centre inputs, level order. */
function centers(inputs: TermInputs): [string, Value][] {
  return [...inputs.entries()].filter(([name]) => name.startsWith(DINO_CENTER));
}

export const dino = defineTerm<DinoTargets>({
  name: "dino",
  doc: "weighted DINO CLS loss, summed over head levels (§3.3)",
  reads: ["losses.dino", "heads.dino"],
  tokens: "cls",
  needsTeacher: true,
  active: (ir) => ir.losses.dino.weight > 0,
  heads: (ir, prefix) => projectionHeadSpecs(ir.heads.dino, ir.backbone.dim, DINO_HEAD, prefix),
  checkpointModules: [DINO_HEAD, "dino_loss"],

  declareSchedules(d, _ir, inputs) {
    inputs.set(
      TEACHER_TEMP,
      d.at("losses.dino.teacher_temp", () =>
        d.schedule(TEACHER_TEMP, TEACHER_TEMP, "teacher temperature τ_t (§7.1)"),
      ),
    );
  },
  declareState(d, ir, inputs) {
    if (ir.losses.dino.weight <= 0 || ir.losses.dino.targets !== "centering") return;
    const levels = ir.heads.dino.levels;
    d.at("losses.dino.targets", () =>
      levels.forEach((lv, l) => {
        const name = levelName(DINO_CENTER, l, levels.length);
        inputs.set(name, d.state(name, [1, lv.prototypes], CENTER_DOC, NEXT_CENTER_DOC));
      }),
    );
  },
  schedules: (ir) => ({ [TEACHER_TEMP]: ir.losses.dino.teacherTemp }),
  monitors: (ir) => (ir.losses.dino.weight > 0 ? monitors(ir) : []),
  dynamics: (ir) =>
    ir.losses.dino.weight > 0
      ? estimateLoss({
          term: "dino",
          head: ir.heads.dino,
          headPath: "heads.dino",
          dim: ir.backbone.dim,
          loss: ir.losses.dino,
          // DINOv2 all-reduces the Sinkhorn sums over the devices (§3.2)
          samples: 2 * ir.train.batch * ir.train.devices,
          samplesAre: "2 global crops × batch × devices",
          samplesCoincide: clsTokensCoincide(ir),
          // 2 + 2·n_loc cross-entropies over 2 + max(2·n_loc, 1) terms (losses/dino.ts)
          factor: ir.losses.dino.weight * (ir.crops.local.count > 0 ? 1 : 2 / 3),
        })
      : undefined,

  teacher({ g, ir, at, teacher, views, inputs }) {
    const B = ir.train.batch;
    const head = ir.heads.dino;
    const loss = ir.losses.dino;
    // §3.1, §12.18: [t_crop2; t_crop1] so row i of the targets is the other view of student row i
    const [tc1, tc2] = g.split(views.teacherGlobal().cls, [B, B], 0) as [Value, Value];
    const logits = at("heads.dino", () =>
      projectionHead(g, head, teacher!.heads, teacher!.prefix + DINO_HEAD, g.concat([tc2, tc1], 0)),
    );
    const temp = inputs.get(TEACHER_TEMP)!;
    const state = centers(inputs);
    const next = new Map<string, Value>();
    const targets = logits.map((z, l) =>
      at("losses.dino.targets", () => {
        if (loss.targets === "sinkhorn")
          // Franca's MRL DINO loss skips the Q/ΣQ pre-normalisation (§3.2 step 2)
          return sinkhornTargets(g, z, temp, {
            iterations: loss.sinkhornIterations,
            preNormalise: head.nested === 1,
          });
        const [name, c] = state[l]!;
        next.set(name, nextCenter(g, c, z, loss.centerMomentum));
        return centeredTargets(g, z, c, temp);
      }),
    );
    return { targets, next };
  },

  student({ g, ir, at, student, views, zero }, t) {
    const sg = views.studentGlobal();
    const sl = views.studentLocal();
    const head = (x: Value): Value[] =>
      at("heads.dino", () => projectionHead(g, ir.heads.dino, student.heads, DINO_HEAD, x));
    const taps = [g.identity(sg.cls), ...(sl ? [g.identity(sl.cls)] : [])];
    const sGlobal = head(taps[0]!);
    const sLocal = sl ? head(taps[1]!) : null;
    const nLocal = sl ? ir.crops.local.count : 0;
    const loss = at("losses.dino", () => {
      let sum = zero;
      t!.targets.forEach((targets, l) => {
        const parts = dinoLoss(
          g,
          sGlobal[l]!,
          sLocal ? sLocal[l]! : null,
          targets,
          nLocal,
          ir.losses.dino.studentTemp,
        );
        sum = g.add(sum, g.add(parts.local, parts.global));
      });
      return g.mul(sum, ir.losses.dino.weight);
    });
    const decls = monitors(ir);
    const values = t!.targets.flatMap((targets, l) => [
      meanEntropy(g, targets),
      softmaxEntropy(g, sGlobal[l]!, ir.losses.dino.studentTemp),
      prototypesInUse(g, targets),
    ]);
    values.push(featureSpread(g, sg.cls));
    return { loss, next: t!.next, taps, monitors: new Map(decls.map((d, i) => [d.name, values[i]!])) };
  },

  check(ctx) {
    checkHeadShapes(ctx, "dino", ctx.model.heads.dino);
    checkHeadOptions(ctx, "dino", ctx.model.heads.dino);
    checkSchedule(ctx, "losses.dino.teacher_temp", ctx.model.losses.dino.teacherTemp);
    const tt = ctx.model.losses.dino.teacherTemp;
    // a linear ramp is DINOv2's warm-up of τt (its `over`); other shapes warm up through `warmup`
    checkWarmupShare(
      ctx,
      "the teacher-temperature warm-up",
      "losses.dino.teacher_temp",
      tt.shape === "linear" ? tt.overSteps : tt.warmupSteps,
    );
  },
  untrainable(ir) {
    const n = ir.crops.global.count;
    if (n === 2) return undefined;
    return {
      path: "crops.global.count",
      reason: `crops.global.count is ${n}, but the DINO/iBOT losses pair exactly 2 global crops (reference §3.1)`,
    };
  },
  costs(ir) {
    const D = ir.backbone.dim;
    const flops = headFlops(ir.heads.dino, D);
    const globals = ir.crops.global.count * ir.train.batch;
    const locals = ir.crops.local.count * ir.train.batch;
    return {
      heads: [
        {
          module: DINO_HEAD,
          params: headParams(ir.heads.dino, D),
          section: "heads.dino",
          head: ir.heads.dino,
        },
      ],
      teacherFlops: globals * flops,
      studentFlops: (globals + locals) * flops,
    };
  },
  info(ir) {
    const l = ir.losses.dino;
    return {
      recipe: [["dino head", headInfo(ir.heads.dino)]],
      loss: `dino ${l.weight} (${l.targets})`,
      note: `τt ${formatSchedule(l.teacherTemp)}`,
      json: { heads: { dino: headJson(ir.heads.dino) } },
    };
  },
});
