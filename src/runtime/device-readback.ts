// Bringing tensors that live in WebGPU buffers back to the host. onnxruntime-node 1.30 hands `gpu-buffer` outputs to
// JavaScript as tensors whose download is a stub: `Tensor.getData()` on one calls a native `download` that throws a
// bare C string ("not implemented"), which no JavaScript handler can catch, so the process dies with
// `terminate called after throwing an instance of 'char const*'` (the abort of `vfmc run --device webgpu` at its
// first checkpoint). What the binding does support is feeding such a tensor to a session as an input. So a readback
// is one more, tiny session on the same device: an Identity per tensor whose outputs onnxruntime places on the
// host, copied there by the provider's own device-to-host transfer. Never call getData() on a gpu-buffer tensor.
import { InternalError } from "../diagnostics/diagnostic.js";
import type { OnnxDtype, OnnxModel } from "../onnx/model.js";
import { encodeModel } from "../onnx/serialize.js";
import { createSession, ort, type Device } from "./session.js";

export interface ReadbackEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly (number | string)[];
}

export type HostData = Float32Array | BigInt64Array;

/** The Identity model copying every entry to an output named `host/<name>`. */
export function readbackModel(entries: readonly ReadbackEntry[]): OnnxModel {
  const info = (e: ReadbackEntry, name = e.name) => ({
    name,
    dtype: e.dtype as OnnxDtype,
    shape: e.shape,
  });
  return {
    opset: 17,
    producerName: "vfmc",
    graph: {
      name: "readback",
      docString:
        "copies device-resident tensors to the host (onnxruntime-node cannot download gpu-buffer tensors)",
      inputs: entries.map((e) => info(e)),
      outputs: entries.map((e) => info(e, `host/${e.name}`)),
      nodes: entries.map((e) => ({
        opType: "Identity",
        inputs: [e.name],
        outputs: [`host/${e.name}`],
        name: `host/${e.name}`,
      })),
      initializers: [],
    },
  };
}

/** Host copies of tensors of one device, one cached Identity session per set of names asked for together. */
export class DeviceReadback {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(
    private readonly device: Device,
    private readonly entries: ReadonlyMap<string, ReadbackEntry>,
  ) {}

  /** The host values of `tensors` (by entry name); host tensors are returned as they are. */
  async read(
    tensors: ReadonlyMap<string, ort.Tensor>,
    names: readonly string[],
  ): Promise<Map<string, HostData>> {
    const out = new Map<string, HostData>();
    const onDevice: string[] = [];
    for (const n of names) {
      const t = tensors.get(n);
      if (!t) throw new InternalError(`readback: no tensor ${n}`);
      if (t.location === "gpu-buffer") onDevice.push(n);
      else out.set(n, t.data as HostData);
    }
    if (onDevice.length === 0) return out;
    const session = await this.session(onDevice);
    const feeds = Object.fromEntries(onDevice.map((n) => [n, tensors.get(n)!]));
    const results = await session.run(feeds);
    for (const n of onDevice) {
      const t = results[`host/${n}`];
      if (!t || t.location === "gpu-buffer") throw new InternalError(`readback of ${n} stayed on the device`);
      out.set(n, t.data as HostData);
    }
    return out;
  }

  private session(names: readonly string[]): Promise<ort.InferenceSession> {
    const key = names.join("\0");
    let s = this.sessions.get(key);
    if (!s) {
      const entries = names.map((n) => {
        const e = this.entries.get(n);
        if (!e) throw new InternalError(`readback: no entry ${n}`);
        return e;
      });
      s = createSession(encodeModel(readbackModel(entries)), {
        device: this.device,
        threads: 1,
        optimization: "disabled",
      });
      this.sessions.set(key, s);
    }
    return s;
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}
