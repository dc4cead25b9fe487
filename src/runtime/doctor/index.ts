// `vfmc doctor`: which execution providers this machine can run vfmc's graphs on, and for each one that it cannot,
// the exact fix. Detection only reads files and runs child processes (host.ts), so it cannot crash the caller.
import type { Device } from "../session.js";
import { checkCuda, type CudaReport, type Problem } from "./cuda.js";
import type { DoctorHost } from "./host.js";
import { checkWebGpu, type WebGpuReport } from "./webgpu.js";

export type { Problem } from "./cuda.js";
export { systemHost, type DoctorHost } from "./host.js";

export interface DoctorReport {
  readonly node: DoctorHost["node"] & { readonly platform: string; readonly arch: string };
  readonly onnxruntime: DoctorHost["ort"];
  readonly cpu?: { readonly usable: true };
  readonly webgpu?: WebGpuReport;
  readonly cuda?: CudaReport;
}

export async function runDoctor(host: DoctorHost, devices: readonly Device[]): Promise<DoctorReport> {
  return {
    node: { ...host.node, platform: process.platform, arch: process.arch },
    onnxruntime: host.ort,
    ...(devices.includes("cpu") ? { cpu: { usable: true as const } } : {}),
    ...(devices.includes("webgpu") ? { webgpu: await checkWebGpu(host) } : {}),
    ...(devices.includes("cuda") ? { cuda: checkCuda(host) } : {}),
  };
}

/** Whether every device asked about is usable. */
export function allUsable(r: DoctorReport): boolean {
  return [r.cpu, r.webgpu, r.cuda].every((d) => d === undefined || d.usable);
}

export function problemsOf(r: DoctorReport): readonly Problem[] {
  return [...(r.webgpu?.problems ?? []), ...(r.cuda?.problems ?? [])];
}
