// onnxruntime sessions for the trainer and the evaluators: one place that knows the execution providers, their
// options and their failure modes, so every command gets the same clear diagnostic instead of a native stack.
// Facts it relies on (onnxruntime-node 1.30): the CPU and WebGPU providers ship in the npm package; the CUDA
// provider's libraries are downloaded by a postinstall script that npm ≥ 11.16 skips unless allowed; only WebGPU can
// keep outputs on the device (`gpu-buffer`), CUDA copies every input and output each run; a `gpu-buffer` output
// cannot be downloaded by the binding itself (device-readback.ts does it).
import { createHash } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { OutputSet } from "../files/output.js";
import { DiagnosticError, makeDiagnostic } from "../diagnostics/diagnostic.js";

export type Device = "cpu" | "cuda" | "webgpu";
export const DEVICES: readonly Device[] = ["cpu", "cuda", "webgpu"];

export interface SessionOptions {
  readonly device: Device;
  /** intra-op threads (CPU kernels); 0 = onnxruntime's choice (all cores) */
  readonly threads: number;
  /** "all" for training; tests of exact numerics pass "disabled" */
  readonly optimization?: "disabled" | "basic" | "extended" | "all";
  /** keep these outputs on the GPU between runs (WebGPU only; ignored elsewhere) */
  readonly deviceOutputs?: readonly string[];
  /**
   * CPU only: keep onnxruntime's optimised graph next to the model and load that next time. Optimising a
   * training step (thousands of nodes) takes far longer than loading the result, and a resume or a rerun pays it
   * again otherwise. The file is keyed by host and onnxruntime version, since it may hold CPU-specific layouts.
   */
  readonly cacheOptimized?: boolean;
}

const CUDA_HELP =
  "`vfmc doctor --device cuda` names what is missing and the exact fix: online, ONNXRUNTIME_NODE_INSTALL=cuda12 npm " +
  "rebuild onnxruntime-node (downloads the provider from NuGet); offline, the libonnxruntime_providers_*.so files of " +
  "the Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0 package copied into {0}; CUDA 12 and cuDNN 9 on the library path. " +
  "--device cpu works without any of this";
const WEBGPU_HELP =
  "`vfmc doctor --device webgpu` says whether a Vulkan driver gives WebGPU an adapter, and which: it needs " +
  "libvulkan.so.1 and a Vulkan ICD (VK_ICD_FILENAMES=<driver>.json picks one; Mesa's llvmpipe is refused, " +
  "SwiftShader works, slowly). --device cpu always works";

/** What to do about an unusable device (the text of DeviceUnavailable's hint). */
export function deviceHelp(device: Device): string {
  return device === "cuda"
    ? CUDA_HELP.replace("{0}", ortBinaryFolder())
    : device === "webgpu"
      ? WEBGPU_HELP
      : "";
}

export function deviceError(device: Device, why: string, help: string): DiagnosticError {
  return new DiagnosticError([makeDiagnostic("DeviceUnavailable", undefined, [device, why, help])]);
}

/** Folder holding onnxruntime-node's native libraries (where the CUDA provider has to be). */
export function ortBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve("onnxruntime-node/package.json"));
  return join(pkg, "bin", "napi-v6", process.platform, process.arch);
}

/** Checks before creating a session, so a missing provider is named before onnxruntime fails deep inside. */
export function checkDevice(device: Device): void {
  if (device === "cpu") return;
  const backends = ort.listSupportedBackends?.() ?? [];
  const backend = backends.find((b) => b.name === device);
  if (!backend)
    throw deviceError(device, `this onnxruntime-node build has no ${device} provider`, deviceHelp(device));
  if (device === "cuda" && !existsSync(join(ortBinaryFolder(), "libonnxruntime_providers_cuda.so")))
    throw deviceError(device, "the CUDA execution provider is not installed", deviceHelp(device));
}

export function sessionOptions(opts: SessionOptions): ort.InferenceSession.SessionOptions {
  const ep: ort.InferenceSession.ExecutionProviderConfig =
    opts.device === "cuda"
      ? { name: "cuda", deviceId: 0 }
      : opts.device === "webgpu"
        ? { name: "webgpu" }
        : "cpu";
  return {
    executionProviders: [ep],
    graphOptimizationLevel: opts.optimization ?? "all",
    ...(opts.threads > 0 ? { intraOpNumThreads: opts.threads } : {}),
    interOpNumThreads: 1,
    executionMode: "sequential",
    logSeverityLevel: 3, // warnings (e.g. about saving optimised graphs) are not the user's business
    enableCpuMemArena: true,
    // The memory pattern pre-plans one block for every intermediate of a run: on a training step that is most of
    // the peak (ViT-S/16 at 96 px: 6.9 → 5.3 GB without it) for no measurable speed (bench, docs/bench.md).
    enableMemPattern: false,
    ...(opts.device === "webgpu" && opts.deviceOutputs?.length
      ? {
          preferredOutputLocation: Object.fromEntries(
            opts.deviceOutputs.map((n) => [n, "gpu-buffer" as const]),
          ),
        }
      : {}),
  };
}

/** Where the optimised copy of `model` lives on this host (see SessionOptions.cacheOptimized). */
export function optimizedModelPath(model: string): string {
  const require = createRequire(import.meta.url);
  const version = (require("onnxruntime-node/package.json") as { version: string }).version;
  const host = createHash("sha256")
    .update(JSON.stringify([version, process.platform, process.arch, cpus()[0]?.model ?? "?"]))
    .digest("hex")
    .slice(0, 12);
  return model.replace(/\.onnx$/, "") + `.cpu-${host}.opt.onnx`;
}

async function cachedSession(model: string, opts: SessionOptions): Promise<ort.InferenceSession> {
  const cached = optimizedModelPath(model);
  if (existsSync(cached)) {
    try {
      return await ort.InferenceSession.create(cached, {
        ...sessionOptions(opts),
        graphOptimizationLevel: "disabled",
      });
    } catch {
      rmSync(cached, { force: true }); // unreadable (an interrupted write?): rebuild it below
    }
  }
  // onnxruntime writes the optimised copy itself, to the output helper's temporary name
  let session: ort.InferenceSession | undefined;
  let failed: { error: unknown } | undefined;
  const set = new OutputSet();
  try {
    await set.stageVia(cached, async (temp) => {
      try {
        session = await ort.InferenceSession.create(model, {
          ...sessionOptions(opts),
          optimizedModelFilePath: temp,
        });
      } catch (error) {
        failed = { error };
      }
    });
    if (session) await set.commit();
  } catch {
    // no cache this time; the session is fine
  } finally {
    await set.discard();
  }
  if (failed) throw failed.error;
  return session!;
}

/** A session on the requested device; a model path is loaded by onnxruntime so external data resolves beside it. */
export async function createSession(
  model: string | Uint8Array,
  opts: SessionOptions,
): Promise<ort.InferenceSession> {
  checkDevice(opts.device);
  try {
    if (
      typeof model === "string" &&
      opts.cacheOptimized &&
      opts.device === "cpu" &&
      (opts.optimization ?? "all") === "all"
    )
      return await cachedSession(model, opts);
    return typeof model === "string"
      ? await ort.InferenceSession.create(model, sessionOptions(opts))
      : await ort.InferenceSession.create(model, sessionOptions(opts));
  } catch (err) {
    // onnxruntime prefixes its source location and the failed condition; the sentence after them is the reason
    const why = ((err as Error).message ?? String(err)).split("\n")[0]!.replace(/^.* was false\. /, "");
    if (opts.device !== "cpu") throw deviceError(opts.device, why, deviceHelp(opts.device));
    throw err;
  }
}

export { ort };
