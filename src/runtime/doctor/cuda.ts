// `vfmc doctor`, CUDA: onnxruntime-node's CUDA provider is not in its npm package (too large); its install script
// downloads libonnxruntime_providers_{cuda,shared,tensorrt}.so from the Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet
// package of the same version into the package's native folder (script/install-metadata.js of onnxruntime-node),
// and only when asked to (this repository's .npmrc says skip, and npm ≥ 11.16 skips dependency scripts anyway).
// The provider then needs the CUDA 12 runtime libraries and cuDNN 9 on the loader's path, and an NVIDIA driver.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { elfNeeded } from "./elf-needed.js";
import type { DoctorHost } from "./host.js";
import { findLibrary, type LibraryHit } from "./library-search.js";

export interface Problem {
  readonly what: string;
  /** what to do, each a step or an alternative, ready to copy */
  readonly fix: readonly string[];
}

export interface CudaReport {
  readonly usable: boolean;
  readonly inBuild: boolean;
  readonly providerFiles: readonly { readonly file: string; readonly present: boolean }[];
  /** what the provider library asks the loader for (its own list, or the 1.30 list when it is absent) */
  readonly libraries: readonly (LibraryHit & { readonly loadable: boolean })[];
  readonly driver?: { readonly version?: string; readonly gpus: readonly string[] };
  readonly problems: readonly Problem[];
}

export const PROVIDER_FILES = [
  "libonnxruntime_providers_shared.so",
  "libonnxruntime_providers_cuda.so",
  "libonnxruntime_providers_tensorrt.so",
];
/** the CUDA provider needs these (DT_NEEDED of onnxruntime 1.30's libonnxruntime_providers_cuda.so) */
export const CUDA_LIBRARIES_1_30 = [
  "libcudart.so.12",
  "libcublas.so.12",
  "libcublasLt.so.12",
  "libcudnn.so.9",
  "libcurand.so.10",
  "libcufft.so.11",
];
const SYSTEM_LIBS = /^(libc|libm|libdl|librt|libpthread|libgcc_s|libstdc\+\+|ld-linux[^.]*)\.so/;

/** pip's CUDA wheels (nvidia-cuda-runtime-cu12, nvidia-cudnn-cu12, … as PyTorch installs them): site-packages/nvidia/x/lib. */
export function pipCudaFolders(host: DoctorHost): string[] {
  const paths =
    host.command("python3", ["-c", "import sys; print('\\n'.join(p for p in sys.path if p))"])?.split("\n") ??
    [];
  const out: string[] = [];
  for (const p of paths.map((s) => s.trim()).filter(Boolean)) {
    const nvidia = join(p, "nvidia");
    let subs: string[] = [];
    try {
      subs = readdirSync(nvidia);
    } catch {
      continue;
    }
    for (const s of subs) if (existsSync(join(nvidia, s, "lib"))) out.push(join(nvidia, s, "lib"));
  }
  return out;
}

function driver(host: DoctorHost): CudaReport["driver"] {
  let version: string | undefined;
  try {
    version = /Kernel Module\s+(\S+)/.exec(readFileSync(host.nvidiaVersionFile, "utf8"))?.[1];
  } catch {
    version = undefined;
  }
  const smi = host.command("nvidia-smi", [
    "--query-gpu=name,memory.total,driver_version",
    "--format=csv,noheader",
  ]);
  const gpus = (smi ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  version ??= gpus[0]?.split(",")[2]?.trim();
  if (!version && gpus.length === 0) return undefined;
  return {
    ...(version ? { version } : {}),
    gpus: gpus.map((g) => g.split(",").slice(0, 2).join(",").trim()),
  };
}

export function checkCuda(host: DoctorHost): CudaReport {
  const folder = host.ort.binaryFolder;
  const inBuild = host.ort.backends.some((b) => b.name === "cuda");
  const providerFiles = PROVIDER_FILES.map((file) => ({ file, present: existsSync(join(folder, file)) }));
  const cudaProvider = join(folder, "libonnxruntime_providers_cuda.so");
  const needed = (elfNeeded(cudaProvider) ?? CUDA_LIBRARIES_1_30).filter(
    (n) => !SYSTEM_LIBS.test(n) && !n.startsWith("libonnxruntime"),
  );
  const pip = pipCudaFolders(host);
  const libraries = [...needed, "libcuda.so.1"].map((soname) => {
    const hit = findLibrary(soname, host, pip);
    return { ...hit, loadable: hit.path !== undefined && hit.via !== "extra folder" };
  });
  const drv = driver(host);
  const problems: Problem[] = [];
  const v = host.ort.version;
  const missingProvider = providerFiles.filter((f) => !f.present && f.file !== PROVIDER_FILES[2]);
  if (!inBuild)
    problems.push({
      what: "this onnxruntime-node build has no CUDA provider (onnxruntime-node ships it for linux/x64 only)",
      fix: ["use --device webgpu or cpu on this platform"],
    });
  else if (missingProvider.length > 0) {
    const nupkg = `microsoft.ml.onnxruntime.gpu.linux.${v}.nupkg`;
    problems.push({
      what: `the CUDA provider is not installed: ${missingProvider.map((f) => f.file).join(", ")} missing in ${folder}`,
      fix: [
        `online (downloads Microsoft.ML.OnnxRuntime.Gpu.Linux ${v} from api.nuget.org; behind a proxy set GLOBAL_AGENT_HTTPS_PROXY): ` +
          `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node   (in the folder holding node_modules; the ` +
          `variable overrides the .npmrc skip), or without npm: ONNXRUNTIME_NODE_INSTALL=cuda12 ${host.node.execPath} ${join(host.ort.packageFolder, "script/install.js")}`,
        `offline: on a machine with internet fetch https://api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/${v}/${nupkg} ` +
          `(a zip), carry it here, then: unzip -j ${nupkg} 'runtimes/linux-x64/native/libonnxruntime_providers_*.so' -d ${folder}`,
      ],
    });
  }
  const unloadable = libraries.filter((l) => !l.loadable && l.soname !== "libcuda.so.1");
  if (unloadable.length > 0) {
    const inPip = unloadable
      .filter((l) => l.via === "extra folder")
      .map((l) => l.path!.replace(/\/[^/]+$/, ""));
    const wrongMajor = unloadable.filter((l) => l.otherVersions.length > 0);
    problems.push({
      what:
        `the loader cannot find ${unloadable.map((l) => l.soname).join(", ")}` +
        (wrongMajor.length
          ? ` (found other versions: ${wrongMajor.flatMap((l) => l.otherVersions).join(", ")}; onnxruntime ${v}'s CUDA provider is built for CUDA 12 and cuDNN 9)`
          : ""),
      fix: [
        ...(inPip.length
          ? [
              `they are in Python's CUDA wheels: export LD_LIBRARY_PATH=${[...new Set(inPip)].join(":")}${host.env.LD_LIBRARY_PATH ? ":$LD_LIBRARY_PATH" : ""}`,
            ]
          : []),
        "install CUDA 12 runtime libraries and cuDNN 9 (NVIDIA's cuda-libraries-12-x and libcudnn9-cuda-12 packages, " +
          "or pip install nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cudnn-cu12 nvidia-curand-cu12 nvidia-cufft-cu12) " +
          "and put their lib folders on LD_LIBRARY_PATH",
      ],
    });
  }
  const libcuda = libraries.find((l) => l.soname === "libcuda.so.1");
  if (!drv?.version || !libcuda?.loadable)
    problems.push({
      what: !drv?.version
        ? "no NVIDIA driver (no /proc/driver/nvidia/version, no nvidia-smi)"
        : "the NVIDIA driver's libcuda.so.1 is not on the loader's path",
      fix: [
        "install the NVIDIA driver; in a container, run it with the NVIDIA container toolkit (docker --gpus all) so " +
          "the driver's libraries are mounted",
      ],
    });
  return {
    usable: problems.length === 0,
    inBuild,
    providerFiles,
    libraries,
    ...(drv ? { driver: drv } : {}),
    problems,
  };
}
