// Cross-section consistency (VFM3010–3013, 3015–3020): settings that are each valid but do not fit together.
import { spanOf } from "../model.js";
import type { CheckContext } from "./context.js";

const headKeys = [
  "layers",
  "hidden",
  "bottleneck",
  "prototypes",
  "l2norm",
  "nested",
  "gelu_after_bottleneck",
];

export function checkConsistency({ model, values, bag }: CheckContext): void {
  const { masking, losses, heads, train, crops } = model;
  if (losses.ibot.weight > 0 && masking.kind === "none") {
    bag.report(
      "IbotWithoutMasking",
      spanOf(model, values.has("losses.ibot.weight") ? "losses.ibot.weight" : "masking"),
      [losses.ibot.weight],
    );
  }
  if (losses.ibot.weight === 0 && masking.kind !== "none") {
    bag.report("MaskingWithoutIbot", spanOf(model, "masking"), [masking.kind]);
  }
  if (
    masking.kind !== "none" &&
    losses.ibot.weight > 0 &&
    Math.floor(crops.global.count * train.batch * masking.images) === 0
  ) {
    bag.report("NoMaskedImages", spanOf(model, "masking.images"), [masking.images, train.batch]);
  }
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
  if (heads.ibot && !heads.ibot.separate) {
    for (const k of headKeys)
      if (values.has(`heads.ibot.${k}`))
        bag.report("SharedHeadKeyIgnored", spanOf(model, `heads.ibot.${k}`), [k]);
  }
  if (losses.koleo.weight > 0 && train.batch < 2)
    bag.report("KoleoNeedsPairs", spanOf(model, "train.batch"), [train.batch]);
  if (crops.local.count > 0 && crops.local.size > crops.global.size) {
    bag.report("LocalCropLargerThanGlobal", spanOf(model, "crops.local.size"), [
      crops.local.size,
      crops.global.size,
    ]);
  }
  if (model.optim.freezeLastLayerSteps >= train.totalSteps) {
    bag.report("FreezeLongerThanTraining", spanOf(model, "optim.freeze_last_layer"), [
      model.optim.freezeLastLayerSteps,
      train.totalSteps,
    ]);
  }
  for (const [name, head] of [
    ["dino", heads.dino],
    ["ibot", heads.ibot?.separate ? heads.ibot : undefined],
  ] as const) {
    if (head && head.geluAfterBottleneck && head.nested === 1)
      bag.report("NotNestedButMrlOptions", spanOf(model, `heads.${name}.gelu_after_bottleneck`), [name]);
  }
}
