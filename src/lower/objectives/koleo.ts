// The KoLeo regulariser (reference §3.5): per global-crop chunk, the student's backbone CLS of the (masked) global
// crops spread apart by the log distance to each one's nearest neighbour; both chunks summed and weighted. DINOv2
// computes it inside its DINO branch, so it exists only while the DINO loss does.
import type { Value } from "../../graph/ir.js";
import { spanOf } from "../../ir/model.js";
import { koleoLoss } from "../losses/koleo.js";
import { defineTerm } from "./term.js";

export const koleo = defineTerm<never>({
  name: "koleo",
  doc: "weighted KoLeo loss of both global chunks (§3.5)",
  reads: ["losses.koleo"],
  tokens: "cls",
  needsTeacher: false,
  // DINOv2's do_dino guards it (§3.5)
  active: (ir) => ir.losses.koleo.weight > 0 && ir.losses.dino.weight > 0,
  heads: () => [],
  checkpointModules: ["koleo_loss"],

  student({ g, ir, at, views }) {
    const B = ir.train.batch;
    const tap = g.identity(views.studentGlobal().cls);
    const loss = at("losses.koleo", () => {
      const [c1, c2] = g.split(tap, [B, B], 0) as [Value, Value];
      return g.mul(g.add(koleoLoss(g, c1), koleoLoss(g, c2)), ir.losses.koleo.weight);
    });
    return { loss, taps: [tap] };
  },

  check({ model, bag }) {
    if (model.losses.koleo.weight > 0 && model.train.batch < 2)
      bag.report("KoleoNeedsPairs", spanOf(model, "train.batch"), [model.train.batch]);
  },
  costs: () => ({ heads: [], teacherFlops: 0, studentFlops: 0 }),
  info: (ir) => ({ loss: `koleo ${ir.losses.koleo.weight}` }),
});
