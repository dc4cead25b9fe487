// Which head class a Head config builds: a nested head (nested > 1) is Franca's MRLDINOHead, otherwise DINOv2's
// DINOHead. Both return one logits tensor per level, so the losses treat a plain head as a single level.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { Head } from "../../ir/model.js";
import type { ParamSpec } from "../params.js";
import { dinoHead, dinoHeadSpecs } from "./dino.js";
import type { ParamValues } from "./head-params.js";
import { matryoshkaHead, matryoshkaHeadSpecs } from "./matryoshka.js";

export function projectionHeadSpecs(head: Head, inDim: number, module: string, prefix = ""): ParamSpec[] {
  return head.nested > 1
    ? matryoshkaHeadSpecs(head, module, prefix)
    : dinoHeadSpecs(head, inDim, module, prefix);
}

/** x [.., D] → logits per level, narrowest first */
export function projectionHead(
  g: GraphBuilder,
  head: Head,
  params: ParamValues,
  module: string,
  x: Value,
): Value[] {
  return head.nested > 1 ? matryoshkaHead(g, head, params, module, x) : dinoHead(g, head, params, module, x);
}
