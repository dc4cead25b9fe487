// WebGPU without a GPU: Debian's chromium package ships SwiftShader, a Vulkan implementation on the CPU, with its
// loader manifest (vk_swiftshader_icd.json) in chromium's library folder. Pointing VK_ICD_FILENAMES at that file
// (libvulkan1 provides the loader) makes onnxruntime-node's WebGPU provider (Dawn over Vulkan) find an adapter on
// any machine. Where the file is absent the WebGPU tests skip with the reason — except under CI (CI=true), where
// `.ci/run` installs both packages, so a missing file is a broken CI machine and the tests fail instead.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const ICD = "vk_swiftshader_icd.json";
const FOLDERS = ["/usr/lib/chromium", "/usr/lib64/chromium", "/usr/lib/chromium-browser", "/opt/chromium"];

/** The SwiftShader ICD manifest: VFMC_TEST_VK_ICD, chromium's usual folders, or wherever dpkg says it put it. */
export function swiftShaderIcd(): string | undefined {
  const given = process.env.VFMC_TEST_VK_ICD;
  if (given) return existsSync(given) ? given : undefined;
  for (const dir of FOLDERS) if (existsSync(`${dir}/${ICD}`)) return `${dir}/${ICD}`;
  for (const pkg of ["chromium", "chromium-browser"]) {
    try {
      const listed = execFileSync("dpkg", ["-L", pkg], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      })
        .split("\n")
        .find((f) => f.endsWith(`/${ICD}`));
      if (listed && existsSync(listed)) return listed;
    } catch {
      // no dpkg, or the package is not installed
    }
  }
  return undefined;
}

const VULKAN_LOADER = [
  "/usr/lib/x86_64-linux-gnu/libvulkan.so.1",
  "/usr/lib64/libvulkan.so.1",
  "/usr/lib/libvulkan.so.1",
];

export interface WebGpuSetup {
  /** set when the tests can run: VK_ICD_FILENAMES now points at it */
  readonly icd?: string;
  /** why they cannot, when they cannot */
  readonly reason?: string;
  /** CI=true: a missing piece is a failure, not a skip */
  readonly required: boolean;
}

/** Points this process's Vulkan loader at SwiftShader (before any WebGPU session exists) or says why not. */
export function useSwiftShader(): WebGpuSetup {
  const required = process.env.CI === "true";
  const icd = swiftShaderIcd();
  if (!icd)
    return {
      required,
      reason: `no ${ICD} (install Debian's chromium package, which ships SwiftShader in its library folder)`,
    };
  if (!VULKAN_LOADER.some((p) => existsSync(p)))
    return { required, reason: "no Vulkan loader libvulkan.so.1 (install Debian's libvulkan1)" };
  process.env.VK_ICD_FILENAMES = icd;
  return { required, icd };
}
