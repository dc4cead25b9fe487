// `vfmc doctor`'s detection against fake machines: folders of empty files named like libraries, fake ICD
// manifests, a fake /proc driver file and canned command output stand in for CUDA installs, Vulkan drivers and
// GPUs, so every rule (and every fix it prints) is tested on a machine with none of them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { vfmc } from "../harness/cli.js";
import { checkCuda, CUDA_LIBRARIES_1_30, PROVIDER_FILES } from "../../src/runtime/doctor/cuda.js";
import type { DoctorHost } from "../../src/runtime/doctor/host.js";
import { findLibrary } from "../../src/runtime/doctor/library-search.js";
import { checkWebGpu } from "../../src/runtime/doctor/webgpu.js";
import type { ProbeOutcome } from "../../src/runtime/device-probe.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-doctor-");
let n = 0;

function folder(files: readonly string[] = [], contents: Record<string, string> = {}): string {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), "");
  for (const [f, text] of Object.entries(contents)) writeFileSync(join(dir, f), text);
  return dir;
}

// the files the 1.30 install script downloads (tensorrt is optional), and what the CUDA provider asks for
const PROVIDER = PROVIDER_FILES.slice(0, 2);
const CUDA_LIBS = CUDA_LIBRARIES_1_30;

interface Fake {
  env?: NodeJS.ProcessEnv;
  ortFiles?: readonly string[];
  ldconfig?: string;
  defaultLibDirs?: readonly string[];
  commands?: Record<string, string>;
  nvidiaVersion?: string;
  icdDirs?: readonly string[];
  vulkanInfo?: string;
  session?: ProbeOutcome;
  backends?: readonly string[];
}

function host(f: Fake): DoctorHost {
  const ort = folder(f.ortFiles ?? []);
  const proc = folder([], f.nvidiaVersion ? { version: f.nvidiaVersion } : {});
  return {
    env: f.env ?? {},
    node: { version: "v20.0.0", execPath: "/opt/node/bin/node" },
    ort: {
      version: "1.30.0",
      packageFolder: "/app/node_modules/onnxruntime-node",
      binaryFolder: ort,
      backends: (f.backends ?? ["cpu", "webgpu", "cuda"]).map((name) => ({ name, bundled: name !== "cuda" })),
    },
    ldconfig: () => f.ldconfig,
    defaultLibDirs: f.defaultLibDirs ?? [],
    command: (file) => f.commands?.[file],
    nvidiaVersionFile: join(proc, "version"),
    icdDirs: f.icdDirs ?? [],
    swiftShaderIcds: [],
    ...(f.vulkanInfo ? { vulkanInfo: "vulkan-info" } : {}),
    webgpuSession: async () => f.session ?? { ok: true, seconds: 0.1, placement: {} },
  };
}

const DRIVER = "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n";

describe("the loader's library search", () => {
  it("follows LD_LIBRARY_PATH, then the ldconfig cache, then the default folders, and notes other majors", () => {
    const first = folder(["libcudart.so.12"]);
    const second = folder(["libcudart.so.12", "libcudart.so.13"]);
    const loader = {
      env: { LD_LIBRARY_PATH: `${first}:${second}` },
      ldconfig: () => undefined,
      defaultLibDirs: [],
    };
    expect(findLibrary("libcudart.so.12", loader)).toEqual({
      soname: "libcudart.so.12",
      path: join(first, "libcudart.so.12"),
      via: "LD_LIBRARY_PATH",
      otherVersions: ["libcudart.so.13"],
    });
    const cached = {
      env: {},
      ldconfig: () => "\tlibcublas.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcublas.so.12\n",
      defaultLibDirs: [folder(["libcublas.so.12"])],
    };
    expect(findLibrary("libcublas.so.12", cached)).toMatchObject({ via: "ldconfig cache" });
    expect(findLibrary("libcudnn.so.9", cached)).toEqual({ soname: "libcudnn.so.9", otherVersions: [] });
  });
});

describe("doctor: CUDA", () => {
  it("is usable with the provider files, every library on the loader's path and a driver", () => {
    const libs = folder(CUDA_LIBS);
    const r = checkCuda(
      host({
        ortFiles: PROVIDER,
        env: { LD_LIBRARY_PATH: libs },
        ldconfig: "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n",
        nvidiaVersion: DRIVER,
        commands: { "nvidia-smi": "NVIDIA H200, 143771 MiB, 550.54.15\n" },
      }),
    );
    expect(r.problems).toEqual([]);
    expect(r.usable).toBe(true);
    expect(r.driver).toEqual({ version: "550.54.15", gpus: ["NVIDIA H200, 143771 MiB"] });
    expect(r.libraries.map((l) => [l.soname, l.via])).toEqual([
      ...CUDA_LIBS.map((s) => [s, "LD_LIBRARY_PATH"]),
      ["libcuda.so.1", "ldconfig cache"],
    ]);
  });

  it("without the provider files: the online install and the offline files, into the right folder", () => {
    const h = host({
      ortFiles: [],
      env: { LD_LIBRARY_PATH: folder([...CUDA_LIBS, "libcuda.so.1"]) },
      nvidiaVersion: DRIVER,
    });
    const r = checkCuda(h);
    expect(r.usable).toBe(false);
    const [p] = r.problems;
    expect(p!.what).toContain(
      `libonnxruntime_providers_shared.so, libonnxruntime_providers_cuda.so missing in ${h.ort.binaryFolder}`,
    );
    expect(p!.fix[0]).toContain("ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node");
    expect(p!.fix[0]).toContain("/opt/node/bin/node /app/node_modules/onnxruntime-node/script/install.js");
    expect(p!.fix[1]).toContain(
      "https://api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/1.30.0/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg",
    );
    expect(p!.fix[1]).toContain(
      `'runtimes/linux-x64/native/libonnxruntime_providers_*.so' -d ${h.ort.binaryFolder}`,
    );
  });

  it("finds libraries in Python's nvidia wheels that the loader does not see, and says what to export", () => {
    const site = folder();
    for (const [pkg, lib] of [
      ["cudnn", "libcudnn.so.9"],
      ["cufft", "libcufft.so.11"],
    ]) {
      mkdirSync(join(site, "nvidia", pkg!, "lib"), { recursive: true });
      writeFileSync(join(site, "nvidia", pkg!, "lib", lib!), "");
    }
    const r = checkCuda(
      host({
        ortFiles: PROVIDER,
        env: {
          LD_LIBRARY_PATH: folder([
            "libcudart.so.12",
            "libcublas.so.12",
            "libcublasLt.so.12",
            "libcurand.so.10",
            "libcuda.so.1",
          ]),
        },
        nvidiaVersion: DRIVER,
        commands: { python3: `${site}\n/nonexistent\n` },
      }),
    );
    const cudnn = r.libraries.find((l) => l.soname === "libcudnn.so.9")!;
    expect(cudnn).toMatchObject({ loadable: false, via: "extra folder" });
    const [p] = r.problems;
    expect(p!.what).toContain("cannot find libcudnn.so.9, libcufft.so.11");
    expect(p!.fix[0]).toBe(
      `they are in Python's CUDA wheels: export LD_LIBRARY_PATH=${join(site, "nvidia/cudnn/lib")}:${join(site, "nvidia/cufft/lib")}:$LD_LIBRARY_PATH`,
    );
  });

  it("names another CUDA major version it finds, and a missing driver", () => {
    const r = checkCuda(host({ ortFiles: PROVIDER, defaultLibDirs: [folder(["libcudart.so.13"])] }));
    expect(r.problems.map((p) => p.what)).toEqual([
      expect.stringContaining(
        "found other versions: libcudart.so.13; onnxruntime 1.30.0's CUDA provider is built for CUDA 12 and cuDNN 9",
      ),
      "no NVIDIA driver (no /proc/driver/nvidia/version, no nvidia-smi)",
    ]);
  });
});

describe("doctor: WebGPU", () => {
  const loaderDir = () => folder(["libvulkan.so.1", "libGLX_nvidia.so.0"]);
  const icd = (name: string, library: string) =>
    folder([], { [name]: JSON.stringify({ ICD: { library_path: library } }) });
  const device = (dawnOk: boolean) =>
    JSON.stringify({
      ok: true,
      devices: [
        {
          name: "NVIDIA H200",
          type: "discrete",
          vendorId: 4318,
          apiVersion: "1.3.277",
          limits: { maxStorageBufferRange: 4294967295 },
          dawnRequired: { robustBufferAccess: true, shaderUniformBufferArrayDynamicIndexing: dawnOk },
        },
      ],
    });

  it("is usable with the loader, NVIDIA's ICD, a device Dawn accepts and a session that runs", async () => {
    const r = await checkWebGpu(
      host({
        env: { LD_LIBRARY_PATH: loaderDir() },
        icdDirs: [icd("nvidia_icd.json", "libGLX_nvidia.so.0")],
        vulkanInfo: "yes",
        commands: { "vulkan-info": device(true) },
      }),
    );
    expect(r.problems).toEqual([]);
    expect(r.usable).toBe(true);
    expect(r.icds).toMatchObject([{ kind: "nvidia", libraryPresent: true }]);
    expect(r.devices?.[0]?.name).toBe("NVIDIA H200");
  });

  it("without the Vulkan loader: how to install it", async () => {
    const r = await checkWebGpu(host({ icdDirs: [icd("nvidia_icd.json", "libGLX_nvidia.so.0")] }));
    expect(r.usable).toBe(false);
    expect(r.problems[0]!.what).toBe("the Vulkan loader libvulkan.so.1 is not on the loader's path");
    expect(r.problems[0]!.fix[0]).toContain("apt-get install libvulkan1");
    expect(r.session).toBeUndefined();
  });

  it("without any ICD: NVIDIA's container capabilities and the software driver", async () => {
    const r = await checkWebGpu(host({ env: { LD_LIBRARY_PATH: loaderDir() }, icdDirs: [folder()] }));
    expect(r.problems[0]!.what).toMatch(/^no Vulkan driver manifest \(ICD\) in /);
    expect(r.problems[0]!.fix.join("\n")).toContain("NVIDIA_DRIVER_CAPABILITIES=all");
    expect(r.problems[0]!.fix.join("\n")).toContain("SwiftShader");
  });

  it("refuses llvmpipe, and VK_ICD_FILENAMES naming a missing file", async () => {
    const lvp = icd("lvp_icd.x86_64.json", "libvulkan_lvp.so");
    const r = await checkWebGpu(
      host({ env: { LD_LIBRARY_PATH: folder(["libvulkan.so.1", "libvulkan_lvp.so"]) }, icdDirs: [lvp] }),
    );
    expect(r.icds).toMatchObject([{ kind: "llvmpipe", libraryPresent: true }]);
    expect(r.problems[0]!.what).toContain("Mesa llvmpipe: Dawn refuses it");
    const missing = await checkWebGpu(
      host({ env: { LD_LIBRARY_PATH: loaderDir(), VK_ICD_FILENAMES: "/nowhere/icd.json" }, icdDirs: [lvp] }),
    );
    expect(missing.icdSource).toBe("VK_ICD_FILENAMES");
    expect(missing.icds).toMatchObject([{ file: "/nowhere/icd.json", error: "no such file" }]);
  });

  it("names the Dawn requirement a device lacks, and a session that fails", async () => {
    const r = await checkWebGpu(
      host({
        env: { LD_LIBRARY_PATH: loaderDir() },
        icdDirs: [icd("nvidia_icd.json", "libGLX_nvidia.so.0")],
        vulkanInfo: "yes",
        commands: { "vulkan-info": device(false) },
        session: { ok: false, phase: "create", message: "Failed to get a WebGPU adapter", placement: {} },
      }),
    );
    expect(r.problems.map((p) => p.what)).toEqual([
      "Vulkan device NVIDIA H200 lacks what Dawn requires (shaderUniformBufferArrayDynamicIndexing): WebGPU will not use it",
      "a WebGPU session does not run: Failed to get a WebGPU adapter",
    ]);
  });
});

describe("vfmc doctor", () => {
  it("teaches in --help", async () => {
    const r = await vfmc("doctor", "--help");
    expect(r.out).toContain("--device");
    expect(r.out).toContain("VK_ICD_FILENAMES");
    expect(r.out).toContain("Examples:");
  });

  it("rejects an unknown device (a usage error)", async () => {
    const r = await vfmc("doctor", "--device", "tpu");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--device tpu: expected all, cpu, cuda, webgpu");
  });

  it("reports this machine as JSON", { timeout: 60_000 }, async () => {
    const r = await vfmc("doctor", "--device", "cuda", "--json");
    const j = JSON.parse(r.out) as { onnxruntime: { version: string }; cuda: { problems: unknown[] } };
    expect(j.onnxruntime.version).toBe("1.30.0");
    expect(r.code).toBe(j.cuda.problems.length === 0 ? 0 : 1);
  });
});
