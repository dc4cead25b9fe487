// `vfmc doctor`, WebGPU: onnxruntime-node's WebGPU provider is built in (Dawn); on Linux Dawn drives Vulkan, which
// needs the Vulkan loader (libvulkan.so.1, Debian's libvulkan1) and a driver for it, an ICD: a JSON manifest naming
// the driver library, found in the loader's folders or named by VK_ICD_FILENAMES. NVIDIA's is nvidia_icd.json
// (in containers only when the toolkit mounts graphics capabilities); Mesa's llvmpipe (lvp_icd) is refused by Dawn;
// SwiftShader (shipped by Chromium) works on any CPU, slowly. The final word is a session that runs on it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Problem } from "./cuda.js";
import type { DoctorHost } from "./host.js";
import { findLibrary, type LibraryHit } from "./library-search.js";

export interface IcdInfo {
  readonly file: string;
  /** the driver library it names (resolved like the loader: relative to the manifest, or a bare soname) */
  readonly library?: string;
  readonly libraryPresent: boolean;
  readonly kind: "nvidia" | "llvmpipe" | "swiftshader" | "other";
  readonly error?: string;
}

export interface VulkanDevice {
  readonly name: string;
  readonly type: string;
  readonly vendorId: number;
  readonly apiVersion: string;
  readonly deviceLocalMemory?: number;
  readonly limits: Readonly<Record<string, number | readonly number[]>>;
  /** device features Dawn's Vulkan backend requires: false ones make it refuse the device */
  readonly dawnRequired: Readonly<Record<string, boolean>>;
}

export interface WebGpuReport {
  readonly usable: boolean;
  readonly inBuild: boolean;
  readonly loader: LibraryHit & { readonly loadable: boolean };
  readonly icdSource: "VK_ICD_FILENAMES" | "VK_DRIVER_FILES" | "loader folders";
  readonly icds: readonly IcdInfo[];
  /** Vulkan devices as the vulkan-info helper sees them, or why it could not say */
  readonly devices?: readonly VulkanDevice[];
  readonly devicesNote?: string;
  readonly session?: { readonly ok: boolean; readonly seconds?: number; readonly error?: string };
  readonly problems: readonly Problem[];
}

function kindOf(file: string, library: string | undefined): IcdInfo["kind"] {
  const s = `${file} ${library ?? ""}`.toLowerCase();
  if (s.includes("nvidia")) return "nvidia";
  if (s.includes("lvp") || s.includes("llvmpipe") || s.includes("lavapipe")) return "llvmpipe";
  if (s.includes("swiftshader")) return "swiftshader";
  return "other";
}

function readIcd(file: string, host: DoctorHost): IcdInfo {
  try {
    const json = JSON.parse(readFileSync(file, "utf8")) as { ICD?: { library_path?: string } };
    const lib = json.ICD?.library_path;
    if (!lib)
      return { file, libraryPresent: false, kind: kindOf(file, undefined), error: "no ICD.library_path" };
    // a path with a slash is relative to the manifest's folder; a bare name goes through the library search
    const library = lib.includes("/") ? resolve(dirname(file), lib) : lib;
    const present = lib.includes("/") ? existsSync(library) : findLibrary(lib, host).path !== undefined;
    return { file, library, libraryPresent: present, kind: kindOf(file, library) };
  } catch (e) {
    return {
      file,
      libraryPresent: false,
      kind: kindOf(file, undefined),
      error: existsSync(file) ? `unreadable: ${(e as Error).message}` : "no such file",
    };
  }
}

function icdFiles(host: DoctorHost): { source: WebGpuReport["icdSource"]; files: string[] } {
  for (const v of ["VK_ICD_FILENAMES", "VK_DRIVER_FILES"] as const) {
    const value = host.env[v];
    if (value) return { source: v, files: value.split(":").filter(Boolean) };
  }
  const files: string[] = [];
  for (const dir of host.icdDirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names.sort()) if (n.endsWith(".json")) files.push(join(dir, n));
  }
  return { source: "loader folders", files };
}

function vulkanDevices(host: DoctorHost): { devices?: VulkanDevice[]; note?: string } {
  if (!host.vulkanInfo)
    return {
      note: "adapter name and limits unknown: the vulkan-info helper is not built (npm run build:native; needs a C compiler and Vulkan headers)",
    };
  const out = host.command(host.vulkanInfo, []);
  if (!out) return { note: `${host.vulkanInfo} did not run` };
  try {
    const r = JSON.parse(out) as { ok: boolean; error?: string; devices?: VulkanDevice[] };
    return r.ok ? { devices: r.devices ?? [] } : { note: `Vulkan: ${r.error ?? "failed"}` };
  } catch {
    return { note: `${host.vulkanInfo} printed no JSON` };
  }
}

/** Device features Dawn requires that a device lacks. */
export function missingDawnFeatures(d: VulkanDevice): string[] {
  return Object.entries(d.dawnRequired)
    .filter(([, ok]) => !ok)
    .map(([f]) => f);
}

export async function checkWebGpu(host: DoctorHost, opts: { session?: boolean } = {}): Promise<WebGpuReport> {
  const inBuild = host.ort.backends.some((b) => b.name === "webgpu");
  const loaderHit = findLibrary("libvulkan.so.1", host);
  const loader = { ...loaderHit, loadable: loaderHit.path !== undefined };
  const { source, files } = icdFiles(host);
  const icds = files.map((f) => readIcd(f, host));
  const { devices, note } = loader.loadable ? vulkanDevices(host) : { devices: undefined, note: undefined };
  const problems: Problem[] = [];
  const swiftshader = host.swiftShaderIcds.find((f) => existsSync(f));
  const softwareHint = swiftshader
    ? `to test without a GPU: VK_ICD_FILENAMES=${swiftshader} (SwiftShader from Chromium: every kernel on the CPU, slow)`
    : "to test without a GPU: install Chromium (it ships SwiftShader, a Vulkan driver on the CPU) and set VK_ICD_FILENAMES to its vk_swiftshader_icd.json";
  if (!inBuild)
    problems.push({
      what: "this onnxruntime-node build has no WebGPU provider (onnxruntime-node 1.30 has it on Windows, macOS and Linux x64)",
      fix: ["use --device cpu"],
    });
  if (!loader.loadable)
    problems.push({
      what: "the Vulkan loader libvulkan.so.1 is not on the loader's path",
      fix: [
        "Debian/Ubuntu: apt-get install libvulkan1; Fedora/RHEL: dnf install vulkan-loader",
        "or put a libvulkan.so.1 on LD_LIBRARY_PATH (the GPU run kit carries one in lib/)",
      ],
    });
  const usableIcds = icds.filter((i) => i.libraryPresent && i.kind !== "llvmpipe");
  if (icds.length === 0)
    problems.push({
      what:
        source === "loader folders"
          ? `no Vulkan driver manifest (ICD) in ${host.icdDirs.join(", ")}`
          : `${source} is set but empty`,
      fix: [
        "NVIDIA: the driver installs nvidia_icd.json (with libGLX_nvidia.so.0); in a container, the NVIDIA container " +
          "toolkit mounts them only with graphics capabilities: NVIDIA_DRIVER_CAPABILITIES=all (or compute,utility,graphics)",
        softwareHint,
      ],
    });
  else if (usableIcds.length === 0)
    problems.push({
      what: `no usable Vulkan driver among ${icds.map((i) => `${i.file} (${i.error ?? (i.kind === "llvmpipe" ? "Mesa llvmpipe: Dawn refuses it, it lacks shaderUniform*ArrayDynamicIndexing" : `driver library ${i.library} missing`)})`).join(", ")}`,
      fix: [
        "NVIDIA: nvidia_icd.json comes with the driver's graphics libraries (libGLX_nvidia.so.0); in a container set " +
          "NVIDIA_DRIVER_CAPABILITIES=all",
        softwareHint,
      ],
    });
  for (const d of devices ?? []) {
    const missing = missingDawnFeatures(d);
    if (missing.length > 0)
      problems.push({
        what: `Vulkan device ${d.name} lacks what Dawn requires (${missing.join(", ")}): WebGPU will not use it`,
        fix: ["use another driver (VK_ICD_FILENAMES)", softwareHint],
      });
  }
  let session: WebGpuReport["session"];
  if (opts.session !== false && inBuild && loader.loadable && icds.length > 0) {
    const o = await host.webgpuSession();
    session = o.ok
      ? { ok: true, seconds: o.seconds }
      : {
          ok: false,
          error: o.phase === "abort" ? `aborted (${o.signal ?? o.code}) ${o.message}` : o.message,
        };
    if (!o.ok)
      problems.push({
        what: `a WebGPU session does not run: ${session.error?.split("\n")[0]}`,
        fix: [
          "vfmc doctor --device webgpu --graph <model.onnx> runs a whole graph the same way and shows where onnxruntime placed each node",
          ...(swiftshader ? [softwareHint] : []),
        ],
      });
  }
  return {
    usable: problems.length === 0 && session?.ok === true,
    inBuild,
    loader,
    icdSource: source,
    icds,
    ...(devices ? { devices } : {}),
    ...(note ? { devicesNote: note } : {}),
    ...(session ? { session } : {}),
    problems,
  };
}
