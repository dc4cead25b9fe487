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
import { defineTerm, type TermInputs } from "./term.js";
import { formatSchedule, levelName } from "./util.js";

/** DINOv2's `dino_loss.center` buffer; `dino_loss.center.<level>` with nested heads. */
export const DINO_CENTER = "dino_loss.center";
const TEACHER_TEMP = "teacher_temp";

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
    const sGlobal = head(sg.cls);
    const sLocal = sl ? head(sl.cls) : null;
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
    return { loss, next: t!.next };
  },

  check(ctx) {
    checkHeadShapes(ctx, "dino", ctx.model.heads.dino);
    checkHeadOptions(ctx, "dino", ctx.model.heads.dino);
    checkSchedule(ctx, "losses.dino.teacher_temp", ctx.model.losses.dino.teacherTemp);
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
