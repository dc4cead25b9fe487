// The carried training state: its initial values (contract: parameters from the seeded initialiser — the teacher
// starts as a copy of the student, §6 — moments and other state at zero, the step at 0) and the tensors that carry
// it from one onnxruntime call to the next.
import { InternalError } from "../../diagnostics/diagnostic.js";
import type { ModelIR } from "../../ir/model.js";
import { backboneMaskToken, backboneParamSpecs } from "../../lower/backbone/params.js";
import { modelHeadSpecs } from "../../lower/objectives/index.js";
import { paramOfState, studentName } from "../../lower/contract.js";
import { initTensor } from "../../lower/init.js";
import type { ParamSpec } from "../../lower/params.js";
import type { StateTensors } from "../checkpoint/checkpoint.js";
import { DeviceReadback, type HostData } from "../device-readback.js";
import { ort, type Device } from "../session.js";
import { numelOf, type TrainPlan } from "./plan.js";

/** Initial parameter values by graph input name, as the compiler initialises them (reference §1.6). */
export function paramInitialiser(ir: ModelIR): (name: string) => Float32Array | undefined {
  const specs = new Map<string, ParamSpec>(
    [
      ...backboneParamSpecs(ir.backbone, { channels: ir.input.channels, maskToken: backboneMaskToken(ir) }),
      ...modelHeadSpecs(ir),
    ].map((s) => [s.name, s]),
  );
  return (name) => {
    const spec = specs.get(studentName(name));
    return spec ? initTensor({ ...spec, name }, ir.train.seed) : undefined;
  };
}

export function freshState(
  plan: TrainPlan,
  initial: (name: string) => Float32Array | undefined,
): StateTensors {
  const state: StateTensors = new Map();
  for (const { input } of plan.state) {
    const n = numelOf(input.shape);
    if (input.dtype === "int64") {
      state.set(input.name, new BigInt64Array(n));
      continue;
    }
    if (input.role === "param" || input.role === "teacher") {
      const v = initial(input.name) ?? initial(paramOfState(input.name));
      if (!v || v.length !== n)
        throw new InternalError(`no initial value of ${n} elements for ${input.name}`);
      state.set(input.name, Float32Array.from(v));
    } else state.set(input.name, new Float32Array(n));
  }
  return state;
}

function hostTensor(dtype: string, data: HostData, dims: readonly (number | string)[]): ort.Tensor {
  return new ort.Tensor(dtype === "int64" ? "int64" : "float32", data, dims as number[]);
}

/** One host tensor per state input, holding its initial value. */
function initialTensors(plan: TrainPlan, initial: StateTensors): Map<string, ort.Tensor> {
  const tensors = new Map<string, ort.Tensor>();
  for (const { input } of plan.state) {
    const data = initial.get(input.name);
    if (!data) throw new InternalError(`no initial state for ${input.name}`);
    tensors.set(input.name, hostTensor(input.dtype, data, input.shape));
  }
  return tensors;
}

/**
 * The state outputs onnxruntime returns are fed straight back as the next call's inputs. On WebGPU they stay in
 * GPU buffers (`preferredOutputLocation: gpu-buffer`; the first step uploads the host initial values); only
 * checkpoints and evaluations bring them to the host, through a readback session (device-readback.ts: the
 * binding cannot download a gpu-buffer tensor itself). On the CPU they are host buffers: onnxruntime-node copies
 * every output into a fresh JS buffer even when the caller pre-allocated one (checked with onnxruntime-node 1.30),
 * so pre-allocated output buffers would only add a write per step — the steps graph (lower/train-steps.ts) is what
 * makes that copy rare.
 */
export class CarriedState {
  private current: Map<string, ort.Tensor>;
  private readonly readback: DeviceReadback;

  constructor(
    private readonly plan: TrainPlan,
    initial: StateTensors,
    device: Device = "cpu",
  ) {
    this.current = initialTensors(plan, initial);
    this.readback = new DeviceReadback(device, new Map(plan.state.map(({ input }) => [input.name, input])));
  }

  /** outputs to keep on the device (SessionOptions.deviceOutputs) */
  static outputs(plan: TrainPlan): string[] {
    return plan.state.map((s) => s.output);
  }

  feeds(): Record<string, ort.Tensor> {
    return Object.fromEntries(this.current);
  }

  fetches(): Record<string, ort.Tensor | null> {
    return Object.fromEntries(this.plan.state.map(({ output }) => [output, null]));
  }

  accept(outputs: ort.InferenceSession.OnnxValueMapType): void {
    for (const { input, output } of this.plan.state) {
      const next = outputs[output] as ort.Tensor | undefined;
      if (!next) throw new InternalError(`the step returned no ${output}`);
      const old = this.current.get(input.name)!;
      if (old.location === "gpu-buffer") old.dispose();
      this.current.set(input.name, next);
    }
  }

  /** host values of some state inputs (one readback call for all of them when they live on the device) */
  read(names: readonly string[]): Promise<Map<string, HostData>> {
    return this.readback.read(this.current, names);
  }

  /** the whole state on the host (a checkpoint) */
  snapshot(): Promise<StateTensors> {
    return this.read([...this.current.keys()]);
  }

  /** frees the device buffers and the readback sessions */
  async release(): Promise<void> {
    for (const t of this.current.values()) if (t.location === "gpu-buffer") t.dispose();
    await this.readback.release();
  }
}
