// The inference graph (docs/graph-contract.md, reference Appendix A): RGB pixels in [0, 1] → normalised in the
// graph → ViT → final-LN CLS, patch tokens, registers and RASA-cleaned patch tokens. Parameters are initializers
// (loaded weights or the §1.6 initialisation), so the file alone is a usable feature extractor.
import { GraphBuilder } from "../graph/builder.js";
import type { Value } from "../graph/ir.js";
import type { Backbone, ExportOutput, ModelIR } from "../ir/model.js";
import { DiagnosticBag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { backboneParams, vitForward } from "./backbone/vit.js";
import type { IoRoleInfo } from "./manifest.js";
import type { ParamSpec } from "./params.js";

export const PIXELS = "pixel_values";

export interface InferInputs {
  readonly ir: ModelIR;
  /** the backbone as the weights have it (the checkpoint's position grid) */
  readonly backbone: Backbone;
  /** initial value of each parameter */
  readonly value: (spec: ParamSpec) => Float32Array;
  /** folded RASA matrix [D, D] (reference §8.2), when the weights hold a RASA head */
  readonly rasa?: Float32Array;
  readonly bag: DiagnosticBag;
}

export interface InferGraph {
  readonly graph: GraphBuilder;
  readonly roles: ReadonlyMap<string, IoRoleInfo>;
  readonly params: readonly ParamSpec[];
}

/** (pixels − mean) / std per channel, as torchvision's Normalize computes it. */
export function normalisePixels(
  g: GraphBuilder,
  pixels: Value,
  mean: readonly number[],
  std: readonly number[],
): Value {
  const c = mean.length;
  const m = g.constant(Float32Array.from(mean), "float32", [1, c, 1, 1]);
  const s = g.constant(Float32Array.from(std), "float32", [1, c, 1, 1]);
  return g.div(g.sub(pixels, m), s);
}

export function lowerInfer(inp: InferInputs): InferGraph {
  const { ir, backbone: bb } = inp;
  const res = ir.export.resolution;
  if (res % bb.patch !== 0) {
    const bag = new DiagnosticBag();
    const fix = Math.max(bb.patch, Math.round(res / bb.patch) * bb.patch);
    bag.report("ResolutionNotPatchMultiple", ir.spans.get("export.resolution"), [res, bb.patch, fix]);
    throw new DiagnosticError(bag.items);
  }
  const g = new GraphBuilder(`${ir.name}.infer`);
  const roles = new Map<string, IoRoleInfo>();
  const pixels = g.input(PIXELS, "float32", ["N", ir.input.channels, res, res]);
  roles.set(PIXELS, { role: "batch", doc: "RGB in [0, 1], NCHW; normalised inside the graph" });

  const { params, specs } = backboneParams(bb, (s) => g.param(s.name, s.shape, inp.value(s)), {
    channels: ir.input.channels,
    optim: ir.optim,
    maskToken: false,
  });
  const out = vitForward(g, bb, params, normalisePixels(g, pixels, ir.input.mean, ir.input.std));

  const wanted = new Set<ExportOutput>(ir.export.outputs);
  const feature = (name: string, v: Value, doc: string): void => {
    g.output(name, v);
    roles.set(name, { role: "feature", doc });
  };
  if (wanted.has("cls")) feature("cls", out.cls, "final-LN CLS token [N, D]");
  if (wanted.has("patch_tokens"))
    feature("patch_tokens", out.patchTokens, "final-LN patch tokens [N, P, D], row-major grid");
  if (out.registers && (wanted.has("registers") || bb.registers > 0))
    feature("registers", out.registers, "final-LN register tokens [N, R, D]");
  if (inp.rasa) {
    const m = g.constant(inp.rasa, "float32", [bb.dim, bb.dim]);
    feature(
      "patch_tokens_rasa",
      g.matmul(out.patchTokens, m),
      "patch tokens with RASA's positional subspaces removed (§8.2)",
    );
  } else if (wanted.has("patch_tokens_rasa")) {
    inp.bag.report("RasaWeightsMissing", ir.spans.get("export.outputs"));
  }
  return { graph: g, roles, params: specs };
}
