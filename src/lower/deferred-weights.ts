// Initializers whose values are produced while the model file is written. ViT-g's inference graph holds 1.1 G
// parameter values (4.5 GB as float32); building the graph, summarising it or writing its manifest needs none of
// them. The lowering declares such parameters without data; emission leaves them as graph inputs, and
// `attachDeferred` moves them to the initializers with a `data` property that produces the tensor on access.
// The ONNX writer reads initializers one at a time (external data streams each straight to the data file), so
// with a one-tensor cache at most about one tensor of weights is in memory at once. Values are pure functions of
// (spec, seed) or of a loaded checkpoint, so producing a tensor again (a second reader) gives the same bytes.
import type { EmittedModel } from "./compile.js";
import { paramElements, type ParamSpec } from "./params.js";

type EmittedTensor = EmittedModel["graph"]["initializers"][number];

/** Bytes of float32 parameters, without producing them. */
export function deferredBytes(specs: readonly ParamSpec[]): number {
  return specs.reduce((a, s) => a + 4 * paramElements(s), 0);
}

/**
 * Turns the graph inputs named by `specs` into initializers (placed first, where eager parameters go) whose data
 * is `value(spec)`, produced when read and kept only until another deferred tensor of this model is read.
 */
export function attachDeferred(
  model: EmittedModel,
  specs: readonly ParamSpec[],
  value: (spec: ParamSpec) => Float32Array,
): void {
  if (specs.length === 0) return;
  const bySpec = new Map(specs.map((s) => [s.name, s]));
  let cached: { spec: ParamSpec; data: Float32Array } | undefined;
  const produce = (spec: ParamSpec): Float32Array => {
    if (cached?.spec !== spec) cached = { spec, data: value(spec) };
    return cached.data;
  };
  const deferred: EmittedTensor[] = [];
  for (const info of model.graph.inputs) {
    const spec = bySpec.get(info.name);
    if (!spec) continue;
    deferred.push({
      name: info.name,
      dtype: "float32",
      dims: [...spec.shape],
      get data() {
        return produce(spec);
      },
      ...(info.docString ? { docString: info.docString } : {}),
    });
  }
  model.graph.inputs = model.graph.inputs.filter((i) => !bySpec.has(i.name));
  model.graph.initializers = [...deferred, ...model.graph.initializers];
}
