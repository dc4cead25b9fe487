// `vfmc doctor [--device D] [--graph MODEL] [--json]`: which execution providers can run vfmc's graphs here, and the
// exact fix for each missing piece (src/runtime/doctor). With --graph, a compiled graph is run once on the device
// in a child process (the check `vfmc run` makes before training) and onnxruntime's node placement is shown.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { DiagnosticError } from "../../diagnostics/diagnostic.js";
import { checkDiagnostic, describePlacement } from "../../runtime/device-check.js";
import { probeGraph } from "../../runtime/device-probe.js";
import {
  allUsable,
  runDoctor,
  systemHost,
  type DoctorReport,
  type Problem,
} from "../../runtime/doctor/index.js";
import type { CudaReport } from "../../runtime/doctor/cuda.js";
import type { WebGpuReport } from "../../runtime/doctor/webgpu.js";
import { DEVICES, type Device } from "../../runtime/session.js";
import { guarded, guardOptions, type Io } from "../io.js";
import { badOption } from "../options.js";
import type { RegisterCommand } from "./index.js";

interface DoctorCliOptions {
  device: string;
  graph?: string;
  json?: boolean;
}

const PROVIDER: Record<Device, string> = {
  cpu: "CPUExecutionProvider",
  cuda: "CUDAExecutionProvider",
  webgpu: "WebGpuExecutionProvider",
};

const mark = (ok: boolean): string => (ok ? "ok" : "NOT USABLE");
const indent = (lines: string[], n = 9): string[] => lines.map((l) => " ".repeat(n) + l);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function problemLines(problems: readonly Problem[]): string[] {
  return problems.flatMap((p) => [`problem: ${p.what}`, ...p.fix.map((f) => `  fix: ${f}`)]);
}

function webgpuLines(w: WebGpuReport): string[] {
  const out = [
    `Vulkan loader: ${w.loader.path ? `${w.loader.path} (${w.loader.via})` : "libvulkan.so.1 not found"}`,
    `Vulkan drivers (${w.icdSource}): ${
      w.icds.length === 0
        ? "none"
        : w.icds
            .map((i) => `${i.file} → ${i.library ?? "?"}${i.libraryPresent ? "" : " (missing)"} [${i.kind}]`)
            .join("; ")
    }`,
  ];
  for (const d of w.devices ?? []) {
    const l = d.limits;
    out.push(
      `adapter: ${d.name} (${d.type}, Vulkan ${d.apiVersion}${d.deviceLocalMemory ? `, ${mib(d.deviceLocalMemory)} device memory` : ""})` +
        (d.type === "cpu" ? " — a Vulkan driver on the CPU: right numerics, no GPU speed" : ""),
      `  limits: max storage buffer ${mib(Number(l["maxStorageBufferRange"]))}, workgroup invocations ${String(l["maxComputeWorkGroupInvocations"])}, ` +
        `workgroup size [${String(l["maxComputeWorkGroupSize"])}], workgroups per dimension ${String((l["maxComputeWorkGroupCount"] as number[])?.[0])}, ` +
        `shared memory ${String(l["maxComputeSharedMemorySize"])} B`,
    );
  }
  if (w.devicesNote) out.push(w.devicesNote);
  if (w.session)
    out.push(
      w.session.ok
        ? `a WebGPU session ran (${(w.session.seconds ?? 0).toFixed(2)} s)`
        : `a WebGPU session failed: ${w.session.error?.split("\n")[0]}`,
    );
  return [...out, ...problemLines(w.problems)];
}

function cudaLines(c: CudaReport): string[] {
  const out = [
    `provider files: ${c.providerFiles.map((f) => `${f.file} ${f.present ? "present" : "missing"}`).join(", ")}`,
    `libraries: ${c.libraries
      .map(
        (l) =>
          `${l.soname} ${l.loadable ? `→ ${l.path}` : l.path ? `only in ${l.path} (not on the loader's path)` : "not found"}` +
          (!l.loadable && l.otherVersions.length ? ` [found ${l.otherVersions.join(", ")}]` : ""),
      )
      .join("; ")}`,
    `driver: ${c.driver ? `${c.driver.version ?? "?"}${c.driver.gpus.length ? ` (${c.driver.gpus.join("; ")})` : ""}` : "none found"}`,
  ];
  return [...out, ...problemLines(c.problems)];
}

function render(r: DoctorReport): string {
  const lines = [
    `node ${r.node.version} (${r.node.execPath}), ${r.node.platform} ${r.node.arch}`,
    `onnxruntime-node ${r.onnxruntime.version}: providers in this build ${r.onnxruntime.backends
      .map((b) => `${b.name}${b.bundled ? "" : " (installed separately)"}`)
      .join(", ")}; native folder ${r.onnxruntime.binaryFolder}`,
    "",
  ];
  if (r.cpu) lines.push("cpu      ok (bundled with onnxruntime-node)");
  if (r.webgpu) lines.push(`webgpu   ${mark(r.webgpu.usable)}`, ...indent(webgpuLines(r.webgpu)));
  if (r.cuda) lines.push(`cuda     ${mark(r.cuda.usable)}`, ...indent(cudaLines(r.cuda)));
  return lines.join("\n");
}

async function runDoctorCommand(opts: DoctorCliOptions, io: Io): Promise<number> {
  const C = "doctor";
  const devices: Device[] =
    opts.device === "all"
      ? [...DEVICES]
      : DEVICES.includes(opts.device as Device)
        ? [opts.device as Device]
        : (() => {
            throw badOption(C, `--device ${opts.device}: expected all, ${DEVICES.join(", ")}`);
          })();
  if (opts.graph !== undefined && devices.length !== 1)
    throw badOption(C, "--graph runs a graph on one device: give --device cpu, webgpu or cuda too");
  if (opts.graph !== undefined && !existsSync(opts.graph))
    throw badOption(C, `--graph ${opts.graph}: no such file`);
  const report = await runDoctor(systemHost(), devices);
  let graph: { model: string; device: Device; ok: boolean; placement?: string; seconds?: number } | undefined;
  let failure: DiagnosticError | undefined;
  if (opts.graph !== undefined) {
    const device = devices[0]!;
    const outcome = await probeGraph(opts.graph, device);
    if (outcome.ok)
      graph = {
        model: opts.graph,
        device,
        ok: true,
        seconds: outcome.seconds,
        placement: describePlacement(outcome.placement, PROVIDER[device]),
      };
    else {
      graph = { model: opts.graph, device, ok: false };
      failure = new DiagnosticError([checkDiagnostic(outcome, opts.graph, device)]);
    }
  }
  if (opts.json) io.out(JSON.stringify({ ...report, ...(graph ? { graph } : {}) }, null, 2));
  else {
    io.out(render(report));
    if (graph?.ok)
      io.out(
        `\n${graph.model} runs on ${graph.device} (${(graph.seconds ?? 0).toFixed(2)} s): ${graph.placement}`,
      );
  }
  if (failure) throw failure;
  // a question about one device is answered by the exit status too; the overview (all) is information
  return opts.device !== "all" && !allUsable(report) ? 1 : 0;
}

export const registerDoctor: RegisterCommand = (program: Command, io: Io, result) => {
  program
    .command("doctor")
    .description(
      "which execution providers (cpu, webgpu, cuda) can run vfmc's graphs here, and how to fix the rest",
    )
    .option("--device <d>", `the provider to examine: all, ${DEVICES.join(", ")}`, "all")
    .option(
      "--graph <model>",
      "also run this ONNX graph once on --device (zero inputs) and show node placement",
    )
    .option("--json", "print the findings as JSON")
    .addHelpText(
      "after",
      "\nWhat it looks at:\n" +
        "  node and onnxruntime-node versions, and the providers this onnxruntime-node build has;\n" +
        "  webgpu: the Vulkan loader (libvulkan.so.1), the Vulkan drivers (ICD manifests; VK_ICD_FILENAMES picks\n" +
        "          them), the adapter's name and limits (with the vulkan-info helper), and a session that runs;\n" +
        "  cuda:   the provider files onnxruntime-node downloads separately, the CUDA 12 / cuDNN 9 libraries the\n" +
        "          provider asks for (LD_LIBRARY_PATH, ldconfig, Python's nvidia-* wheels), the NVIDIA driver.\n" +
        "Each missing piece comes with the exact fix, online and offline. With --device, the exit status is 1 when\n" +
        "that provider is not usable. A graph that fails with --graph is a diagnostic naming the node.\n" +
        "Examples:\n" +
        "  vfmc doctor\n" +
        "  vfmc doctor --device cuda --json\n" +
        "  VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json vfmc doctor --device webgpu   # no GPU: SwiftShader\n" +
        "  vfmc doctor --device webgpu --graph runs/franca_tiny/compiled/<hash>/franca_tiny.train.onnx\n",
    )
    .action(async (opts: DoctorCliOptions) => {
      result.code = await guarded(io, guardOptions(program, opts), () => runDoctorCommand(opts, io));
    });
};
