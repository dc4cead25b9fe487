// The check `vfmc run` makes before training on an accelerator (src/runtime/device-check.ts): the graph runs once
// in a child process, and a provider that cannot run it is a diagnostic at the spec line of the failing node —
// never an abort of the trainer. The failing graph is real: onnxruntime 1.30's WebGPU Resize has no antialias
// (an error status at run time), while the CPU provider runs the same node.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { spanOf } from "../../src/ir/model.js";
import type { OnnxModel } from "../../src/onnx/model.js";
import { encodeModel } from "../../src/onnx/serialize.js";
import { checkDeviceRuns, checkStamp, describePlacement } from "../../src/runtime/device-check.js";
import { nodeInMessage, probeGraph } from "../../src/runtime/device-probe.js";
import { systemHost } from "../../src/runtime/doctor/host.js";
import { checkWebGpu } from "../../src/runtime/doctor/webgpu.js";
import { scratchDir } from "../harness/scratch-dir.js";
import { useSwiftShader } from "../harness/webgpu.js";

const setup = useSwiftShader();
const SPEC = "test/gpu/gpu-micro.vfm";
const root = scratchDir("vfmc-device-check-");

async function thrown(f: () => Promise<unknown>): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

/** x [1, 3, 8, 8] → Resize to half size with antialias, the node attributed to the spec's backbone section. */
function resizeModel(antialias: number): OnnxModel {
  return {
    opset: 18,
    graph: {
      name: "resize",
      inputs: [{ name: "x", dtype: "float32", shape: [1, 3, 8, 8] }],
      outputs: [{ name: "y", dtype: "float32", shape: [1, 3, 4, 4] }],
      initializers: [{ name: "scales", dtype: "float32", dims: [4], data: Float32Array.of(1, 1, 0.5, 0.5) }],
      nodes: [
        {
          opType: "Resize",
          inputs: ["x", "", "scales"],
          outputs: ["y"],
          name: "Resize_7",
          attrs: { mode: { type: "string", s: "linear" }, antialias: { type: "int", i: antialias } },
          docString: "gpu-micro.vfm:10:3 backbone",
        },
      ],
    },
  };
}

function write(name: string, model: OnnxModel): string {
  const path = join(root, name);
  writeFileSync(path, encodeModel(model));
  return path;
}

describe("reading onnxruntime's answers", () => {
  it("finds the node an error status names", () => {
    expect(
      nodeInMessage(
        "Non-zero status code returned while running Resize node. Name:'Resize_7' Status Message: NOT implemented.",
      ),
    ).toEqual({ opType: "Resize", name: "Resize_7" });
    expect(nodeInMessage("Could not find an implementation for Foo(13) node with name 'Foo_3'")).toEqual({
      opType: "Foo",
      name: "Foo_3",
    });
    expect(nodeInMessage("Failed to get a WebGPU adapter")).toBeUndefined();
  });

  it("summarises node placement per provider", () => {
    const placement = {
      WebGpuExecutionProvider: [{ opType: "MatMul", name: "a" }],
      CPUExecutionProvider: [
        { opType: "LogSoftmax", name: "b" },
        { opType: "LogSoftmax", name: "c" },
        { opType: "Cast", name: "d" },
      ],
    };
    expect(describePlacement(placement, "WebGpuExecutionProvider")).toBe(
      "1 of 4 nodes on WebGpuExecutionProvider; on CPUExecutionProvider: LogSoftmax ×2, Cast",
    );
    expect(describePlacement({}, "WebGpuExecutionProvider")).toBe("every node on WebGpuExecutionProvider");
  });

  it("the CPU runs the node WebGPU cannot (so the failure below is the provider's)", async () => {
    expect(await probeGraph(write("resize-cpu.onnx", resizeModel(1)), "cpu")).toMatchObject({ ok: true });
  });
});

describe.runIf(!setup.icd && setup.required)("device check under CI", () => {
  it("finds SwiftShader and the Vulkan loader (.ci/run installs chromium and libvulkan1)", () => {
    expect.fail(setup.reason);
  });
});

describe.skipIf(!setup.icd)(`the WebGPU check${setup.icd ? "" : ` (skipped: ${setup.reason})`}`, () => {
  const ir = checkSpec(SPEC).models[0]!;
  const quiet = () => undefined;

  it(
    "names the failing node, its operator and the spec line that built it",
    { timeout: 60_000 },
    async () => {
      const model = write("resize-aa.onnx", resizeModel(1));
      const e = await thrown(() => checkDeviceRuns(model, "webgpu", ir, quiet));
      expect(e).toBeInstanceOf(DiagnosticError);
      const [d] = (e as DiagnosticError).diagnostics;
      expect(d!.code).toBe("VFM6601");
      expect(d!.message).toContain(
        "node 'Resize_7' (Resize) of resize-aa.onnx, built for gpu-micro.vfm:10:3 backbone",
      );
      expect(d!.message).toContain("antialias");
      expect(d!.span?.file).toMatch(/gpu-micro\.vfm$/);
      expect(d!.span).toEqual(spanOf(ir, "backbone"));
      expect(existsSync(checkStamp(model, "webgpu"))).toBe(false);
    },
  );

  it("stamps a graph that ran, and does not run it again", { timeout: 60_000 }, async () => {
    const model = write("resize.onnx", resizeModel(0));
    const notes: string[] = [];
    const first = await checkDeviceRuns(model, "webgpu", ir, (s) => notes.push(s));
    expect(first.ran).toBe(true);
    expect(existsSync(checkStamp(model, "webgpu"))).toBe(true);
    expect(notes.join("\n")).toContain("webgpu runs resize.onnx");
    const again = await checkDeviceRuns(model, "webgpu", ir, quiet);
    expect(again).toMatchObject({ ran: false, summary: first.summary });
  });

  it("reports a native abort of the check process as a diagnostic", { timeout: 60_000 }, async () => {
    const model = write("abort.onnx", resizeModel(0));
    // an abort from outside looks to the parent exactly like `terminate called …` inside the provider
    const e = await thrown(() =>
      checkDeviceRuns(model, "webgpu", ir, quiet, { onSpawn: (pid) => process.kill(pid, "SIGABRT") }),
    );
    const [d] = (e as DiagnosticError).diagnostics;
    expect(d!.code).toBe("VFM6603");
    expect(d!.message).toContain("killed by SIGABRT");
    expect(existsSync(checkStamp(model, "webgpu"))).toBe(false);
  });
});

/** `cc` with Vulkan's headers (Debian: gcc, libvulkan-dev; .ci/run installs both), or why not. */
function compilerMissing(): string | undefined {
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
  } catch {
    return "no C compiler (cc)";
  }
  return existsSync("/usr/include/vulkan/vulkan.h") ? undefined : "no Vulkan headers (libvulkan-dev)";
}

describe.skipIf(!setup.icd)("vfmc doctor on SwiftShader", () => {
  const missing = compilerMissing();
  it.runIf(missing !== undefined && setup.required)("has a C compiler and Vulkan headers under CI", () => {
    expect.fail(missing);
  });
  it.skipIf(missing !== undefined)(
    `names the adapter, its limits and Dawn's requirements${missing ? ` (skipped: ${missing})` : ""}`,
    { timeout: 60_000 },
    async () => {
      const helper = join(root, "vulkan-info");
      execFileSync("cc", ["-O2", "-Wall", "-o", helper, "native/vulkan-info.c", "-ldl"]);
      const r = await checkWebGpu(systemHost({ ...process.env, VFMC_VULKAN_INFO: helper }));
      expect(r.icds).toMatchObject([{ kind: "swiftshader", libraryPresent: true }]);
      const [adapter] = r.devices ?? [];
      expect(adapter?.name).toMatch(/^SwiftShader/);
      expect(adapter?.type).toBe("cpu");
      expect(Number(adapter?.limits["maxStorageBufferRange"])).toBeGreaterThan(0);
      expect(Object.values(adapter?.dawnRequired ?? {}).every(Boolean)).toBe(true);
      expect(r.session).toMatchObject({ ok: true });
      expect(r.usable).toBe(true);
    },
  );
});
