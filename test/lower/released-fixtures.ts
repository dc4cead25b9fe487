// Access to the released-layout fixtures of test/reference/released_layouts.py: each case is a converted
// checkpoint (released_<case>.safetensors), its goldens (released_<case>.expected.safetensors) and a model of the
// matching architecture in released_models.vfm.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { checkSpec } from "../../src/lower/check-spec.js";
import type { ModelIR } from "../../src/ir/model.js";
import { compileModelGraphs } from "../../src/lower/compile.js";
import type { WeightMap } from "../../src/lower/weights.js";
import { DEFAULT_OPSET } from "../../src/onnx/model.js";
import { readSafetensors, type Tensor } from "../../src/runtime/checkpoint/safetensors.js";
import { runModel } from "../harness/ort.js";

export const RELEASED_DIR = "test/fixtures/torch";
export const RELEASED_SPEC = join(RELEASED_DIR, "released_models.vfm");
export const RELEASED_CASES = ["dinov2_hub", "dinov2_hub_reg", "dinov2_train", "franca_v1"] as const;
export type ReleasedCase = (typeof RELEASED_CASES)[number];

export const haveReleased = (): boolean => existsSync(RELEASED_SPEC);
export const checkpointPath = (c: ReleasedCase): string => join(RELEASED_DIR, `released_${c}.safetensors`);

export function releasedModel(c: ReleasedCase): ModelIR {
  const r = checkSpec(RELEASED_SPEC);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const ir = r.models.find((m) => m.name === `released_${c}`);
  if (!ir) throw new Error(`released_models.vfm has no model released_${c}`);
  return ir;
}

export async function releasedCase(
  c: ReleasedCase,
): Promise<{ ir: ModelIR; checkpoint: Map<string, Tensor>; expected: Map<string, Tensor> }> {
  return {
    ir: releasedModel(c),
    checkpoint: (await readSafetensors(checkpointPath(c))).tensors,
    expected: (await readSafetensors(join(RELEASED_DIR, `released_${c}.expected.safetensors`))).tensors,
  };
}

/** max |ours − golden| / max |golden| */
export function relErr(got: ArrayLike<number>, want: Tensor): number {
  const w = want.data as Float32Array;
  expect(got.length).toBe(w.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < w.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - w[i]!));
    scale = Math.max(scale, Math.abs(w[i]!));
  }
  return err / scale;
}

/** Compiles the inference graph of `ir` with `weights` (the real import path) and runs it on `pixels`. */
export async function inferWith(
  ir: ModelIR,
  weights: WeightMap,
  pixels: Tensor,
  file = "ckpt.safetensors",
): Promise<{ outputs: Record<string, Float32Array>; codes: string[] }> {
  const compiled = compileModelGraphs(ir, {
    emit: ["infer"],
    opset: DEFAULT_OPSET,
    weights: [{ file, tensors: weights }],
  });
  const out = await runModel(compiled.graphs[0]!.model, {
    pixel_values: { dtype: "float32", dims: pixels.shape, data: pixels.data as Float32Array },
  });
  const outputs: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) outputs[k] = v.data as Float32Array;
  return { outputs, codes: compiled.diagnostics.map((d) => d.code) };
}
