// What `vfmc doctor` looks at, behind one interface: the environment, the folders it searches, the commands it may
// run. `systemHost()` is this machine; tests hand in fake folders and outputs, so every detection rule is tested
// without a GPU.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { writeOutputSync } from "../../files/output.js";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeModel } from "../../onnx/serialize.js";
import { probeGraph, type ProbeOutcome } from "../device-probe.js";
import { ort, ortBinaryFolder } from "../session.js";
import { DEFAULT_LIB_DIRS, type LoaderHost } from "./library-search.js";

export interface DoctorHost extends LoaderHost {
  readonly node: { readonly version: string; readonly execPath: string };
  readonly ort: {
    readonly version: string;
    /** onnxruntime-node's package folder */
    readonly packageFolder: string;
    /** its native library folder for this platform (where the CUDA provider files go) */
    readonly binaryFolder: string;
    readonly backends: readonly { readonly name: string; readonly bundled: boolean }[];
  };
  /** stdout of a command, or undefined when it cannot be run or fails */
  command(file: string, args: readonly string[]): string | undefined;
  /** /proc/driver/nvidia/version */
  readonly nvidiaVersionFile: string;
  /** folders the Vulkan loader reads ICD manifests from when VK_ICD_FILENAMES is unset */
  readonly icdDirs: readonly string[];
  /** where Chromium packages keep SwiftShader's ICD manifest */
  readonly swiftShaderIcds: readonly string[];
  /** the vulkan-info helper (native/vulkan-info.c), when built */
  readonly vulkanInfo?: string;
  /** a one-node graph run on WebGPU in a child process (device-probe.ts) */
  webgpuSession(): Promise<ProbeOutcome>;
}

/** The Vulkan loader's ICD search folders (its documented defaults, then XDG's data folders). */
export function vulkanIcdDirs(env: NodeJS.ProcessEnv): string[] {
  const xdg = (env.XDG_DATA_DIRS ?? "/usr/local/share:/usr/share").split(":").filter((d) => d !== "");
  const config = (env.XDG_CONFIG_DIRS ?? "/etc/xdg").split(":").filter((d) => d !== "");
  return [
    ...config.map((d) => join(d, "vulkan/icd.d")),
    "/etc/vulkan/icd.d",
    ...xdg.map((d) => join(d, "vulkan/icd.d")),
  ].filter((d, i, all) => all.indexOf(d) === i);
}

export const SWIFTSHADER_ICDS = [
  "/usr/lib/chromium/vk_swiftshader_icd.json",
  "/usr/lib64/chromium/vk_swiftshader_icd.json",
  "/usr/lib/chromium-browser/vk_swiftshader_icd.json",
  "/opt/google/chrome/vk_swiftshader_icd.json",
];

/** The helper next to the compiled CLI (dist/native/vulkan-info), or VFMC_VULKAN_INFO. */
function vulkanInfoPath(env: NodeJS.ProcessEnv): string | undefined {
  if (env.VFMC_VULKAN_INFO) return existsSync(env.VFMC_VULKAN_INFO) ? env.VFMC_VULKAN_INFO : undefined;
  const beside = fileURLToPath(new URL("../../native/vulkan-info", import.meta.url));
  return existsSync(beside) ? beside : undefined;
}

async function oneNodeWebGpuSession(env: NodeJS.ProcessEnv): Promise<ProbeOutcome> {
  const dir = mkdtempSync(join(tmpdir(), "vfmc-doctor-"));
  const model = join(dir, "identity.onnx");
  writeOutputSync(
    model,
    encodeModel({
      opset: 17,
      graph: {
        name: "doctor",
        inputs: [{ name: "x", dtype: "float32", shape: [4] }],
        outputs: [{ name: "y", dtype: "float32", shape: [4] }],
        initializers: [],
        nodes: [{ opType: "Sqrt", inputs: ["x"], outputs: ["y"], name: "sqrt" }],
      },
    }),
  );
  try {
    return await probeGraph(model, "webgpu", { env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function systemHost(env: NodeJS.ProcessEnv = process.env): DoctorHost {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve("onnxruntime-node/package.json"));
  const version = (require("onnxruntime-node/package.json") as { version: string }).version;
  const vulkanInfo = vulkanInfoPath(env);
  return {
    env,
    node: { version: process.version, execPath: process.execPath },
    ort: {
      version,
      packageFolder: pkg,
      binaryFolder: ortBinaryFolder(),
      backends: ort.listSupportedBackends?.() ?? [],
    },
    ldconfig: () => {
      for (const file of ["ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"]) {
        try {
          return execFileSync(file, ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        } catch {
          // try the next place
        }
      }
      return undefined;
    },
    defaultLibDirs: DEFAULT_LIB_DIRS,
    command: (file, args) => {
      try {
        return execFileSync(file, [...args], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
          env,
          timeout: 30_000,
        });
      } catch {
        return undefined;
      }
    },
    nvidiaVersionFile: "/proc/driver/nvidia/version",
    icdDirs: vulkanIcdDirs(env),
    swiftShaderIcds: SWIFTSHADER_ICDS,
    ...(vulkanInfo ? { vulkanInfo } : {}),
    webgpuSession: () => oneNodeWebGpuSession(env),
  };
}
