// Cross-section consistency (VFM3012, 3013, 3018, 3019, 3023, 3108, 3109): settings that are each valid but do not fit
// together. The
// loss terms' own rules (iBOT and its masking, KoLeo's pairs, head options) live in their files (src/lower/objectives).
import { spanOf } from "../model.js";
import type { CheckContext } from "./context.js";

export function checkConsistency({ model, values, bag }: CheckContext): void {
  const { train, crops, masking } = model;
  if (masking.kind === "random" && masking.ratio.lo !== masking.ratio.hi)
    bag.report("RandomMaskingOneRatio", spanOf(model, "masking.ratio"), [masking.ratio.lo, masking.ratio.hi]);
  if (model.decoder === null && values.spans.has("decoder"))
    bag.report("DecoderUnused", spanOf(model, "decoder"));
  if (model.export.outputs.includes("registers") && model.backbone.registers === 0) {
    bag.report(
      "OutputNeedsRegisters",
      spanOf(model, `export.outputs[${model.export.outputs.indexOf("registers")}]`),
    );
  }
  if (model.export.outputs.includes("patch_tokens_rasa") && !model.post.rasa) {
    bag.report(
      "OutputNeedsRasa",
      spanOf(model, `export.outputs[${model.export.outputs.indexOf("patch_tokens_rasa")}]`),
    );
  }
  if (crops.local.count > 0 && crops.local.size > crops.global.size) {
    bag.report("LocalCropLargerThanGlobal", spanOf(model, "crops.local.size"), [
      crops.local.size,
      crops.global.size,
    ]);
  }
  if (!Number.isSafeInteger(Math.ceil(train.totalSteps)))
    bag.report("TrainingTooLong", spanOf(model, "train.epochs"), [
      train.totalSteps,
      train.epochs,
      train.epochLength,
    ]);
  if (model.optim.freezeLastLayerSteps >= train.totalSteps) {
    bag.report("FreezeLongerThanTraining", spanOf(model, "optim.freeze_last_layer"), [
      model.optim.freezeLastLayerSteps,
      train.totalSteps,
    ]);
  }
}
