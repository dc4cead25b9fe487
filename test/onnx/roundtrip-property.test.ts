// Property: any initializer of any supported dtype survives encode → decode bit for bit, inline and external.
import fc from "fast-check";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { OnnxModel, OnnxTensor } from "../../src/onnx/model.js";
import { decodeModel, encodeModel, readModel, writeModel } from "../../src/onnx/serialize.js";
import { clearInputs } from "../../src/files/inputs.js";
import { scratchDir } from "../harness/scratch-dir.js";

const dims = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 });
const count = (d: number[]) => d.reduce((a, b) => a * b, 1);

const tensor: fc.Arbitrary<OnnxTensor> = fc
  .tuple(dims, fc.constantFrom("float32", "float16", "float64", "int64", "int32", "int8", "uint8", "bool"))
  .chain(([d, dtype]) => {
    const n = count(d);
    const make = (data: OnnxTensor["data"]): OnnxTensor => ({ name: "t", dtype, dims: d, data });
    switch (dtype) {
      case "float32":
        return fc.float32Array({ minLength: n, maxLength: n }).map(make);
      case "float64":
        return fc.float64Array({ minLength: n, maxLength: n }).map(make);
      case "int64":
        return fc.bigInt64Array({ minLength: n, maxLength: n }).map(make);
      case "int32":
        return fc.int32Array({ minLength: n, maxLength: n }).map(make);
      case "int8":
        return fc.int8Array({ minLength: n, maxLength: n }).map(make);
      case "float16":
        return fc.uint16Array({ minLength: n, maxLength: n }).map(make);
      case "uint8":
        return fc.uint8Array({ minLength: n, maxLength: n }).map(make);
      case "bool":
        return fc
          .array(fc.boolean(), { minLength: n, maxLength: n })
          .map((b) => make(Uint8Array.from(b, Number)));
    }
  });

function modelOf(ts: OnnxTensor[]): OnnxModel {
  return {
    opset: 17,
    producerName: "vfmc",
    graph: { name: "g", nodes: [], inputs: [], outputs: [], initializers: ts },
  };
}

// Compare bytes, not values: NaN payloads and -0 must survive too.
const bytes = (t: OnnxTensor) =>
  Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("hex");
const shape = (m: OnnxModel) => m.graph.initializers.map((t) => [t.name, t.dtype, t.dims, bytes(t)]);

const dir = scratchDir("vfmc-onnx-prop-");

const tensors = fc.array(tensor, { maxLength: 6 }).map((ts) => ts.map((t, i) => ({ ...t, name: `t${i}` })));

it("inline encode → decode preserves every tensor", () => {
  fc.assert(
    fc.property(tensors, (ts) => {
      const m = modelOf(ts);
      expect(shape(decodeModel(encodeModel(m)))).toEqual(shape(m));
    }),
  );
});

it("external write → read preserves every tensor", async () => {
  await fc.assert(
    fc.asyncProperty(tensors, fc.integer({ min: 1, max: 64 }), async (ts, threshold) => {
      const m = modelOf(ts);
      const p = join(dir, "m.onnx");
      clearInputs(); // the last round's readModel made m.onnx an input of "this command"
      await writeModel(m, p, { externalData: true, threshold });
      expect(shape(await readModel(p))).toEqual(shape(m));
    }),
    { numRuns: 40 },
  );
});
