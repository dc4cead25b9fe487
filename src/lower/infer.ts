// The inference graph (docs/graph-contract.md, reference Appendix A): RGB pixels in [0, 1] → normalised in the
// graph → ViT → final-LN CLS, patch tokens, registers and RASA-cleaned patch tokens. Parameters are initializers
// (loaded weights or the §1.6 initialisation), so the file alone is a usable feature extractor. Without `value` the
// parameters are declared without data and listed in `deferred`: compileModelGraphs attaches their values at emission,
// one tensor at a time while the file is written, so building (or summarising) ViT-g's graph holds no weights.
import { GraphBuilder } from "../graph/builder.js";
import type { Value } from "../graph/ir.js";
import type { Backbone, ExportOutput, ModelIR } from "../ir/model.js";
import { DiagnosticBag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { normalisePixels } from "./backbone/normalise.js";
import { backboneParams, vitForward } from "./backbone/vit.js";
import type { IoRoleInfo } from "./manifest.js";
import type { ParamSpec } from "./params.js";
import { specSources } from "./source.js";
import type { LoweredGraph } from "./compile.js";

export const PIXELS = "pixel_values";

export interface InferInputs {
  readonly ir: ModelIR;
  /** the backbone as the weights have it (the checkpoint's position grid) */
  readonly backbone: Backbone;
  /** initial value of each parameter; absent: parameters without data, to be attached at emission */
  readonly value?: (spec: ParamSpec) => Float32Array;
  /** folded RASA matrix [D, D] (reference §8.2), when the weights hold a RASA head */
  readonly rasa?: Float32Array;
  readonly bag: DiagnosticBag;
}

export type InferGraph = LoweredGraph & {
  /** parameters declared without data that emission must turn into initializers (all of them without `value`) */
  readonly deferred: readonly ParamSpec[];
};

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
  const at = specSources(g, ir);
  return at("export", () => {
    const roles = new Map<string, IoRoleInfo>();
    const pixels = g.input(PIXELS, "float32", ["N", ir.input.channels, res, res]);
    roles.set(PIXELS, { role: "batch", doc: "RGB in [0, 1], NCHW; normalised inside the graph" });

    const value = inp.value;
    const { params, specs } = at("backbone", () =>
      backboneParams(bb, (s) => g.param(s.name, s.shape, value?.(s)), {
        channels: ir.input.channels,
        optim: ir.optim,
        maskToken: false,
      }),
    );
    const normalised = at("input", () => normalisePixels(g, pixels, ir.input.mean, ir.input.std));
    const out = vitForward(g, bb, params, normalised, { at });

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
    const rasa = inp.rasa;
    if (rasa) {
      const cleaned = at("post", () =>
        g.matmul(out.patchTokens, g.constant(rasa, "float32", [bb.dim, bb.dim])),
      );
      feature("patch_tokens_rasa", cleaned, "patch tokens with RASA's positional subspaces removed (§8.2)");
    } else if (wanted.has("patch_tokens_rasa")) {
      inp.bag.report("RasaWeightsMissing", ir.spans.get("export.outputs"));
    }
    return { graph: g, roles, params: specs, deferred: value ? [] : specs };
  });
}
