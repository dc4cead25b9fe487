// Before training on an accelerator: does the provider run the training graph at all? The graph is run once in a
// child process (device-probe.ts); a failure becomes a diagnostic at the spec construct that built the failing
// node, before a step is trained or a file written. A graph that ran is stamped next to the model file, so the
// check is paid once per compiled graph, provider and onnxruntime version (the compiled folder is keyed by the
// model and the compiler already).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import { DiagnosticError, makeDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { writeOutput } from "../files/output.js";
import { spanOf, type ModelIR } from "../ir/model.js";
import { sourcePath } from "../lower/source.js";
import { findNode } from "../onnx/find-node.js";
import { probeGraph, type Placement, type ProbeOptions, type ProbeOutcome } from "./device-probe.js";
import { checkDevice, deviceHelp, type Device } from "./session.js";

function ortVersion(): string {
  const require = createRequire(import.meta.url);
  return (require("onnxruntime-node/package.json") as { version: string }).version;
}

/** Where a graph's successful check on `device` is recorded. */
export function checkStamp(model: string, device: Device): string {
  return `${model}.${device}-check.json`;
}

/** `2286 of 2306 nodes on WebGpuExecutionProvider; on CPUExecutionProvider: LogSoftmax ×6, Cast ×4, …` */
export function describePlacement(placement: Placement, provider: string): string {
  const entries = Object.entries(placement);
  if (entries.length === 0) return `every node on ${provider}`;
  const total = entries.reduce((n, [, nodes]) => n + nodes.length, 0);
  const main = entries.find(([p]) => p === provider)?.[1].length ?? 0;
  const others = entries
    .filter(([p]) => p !== provider)
    .map(([p, nodes]) => {
      const counts = new Map<string, number>();
      for (const n of nodes) counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
      const ops = [...counts].sort((a, b) => b[1] - a[1]).map(([op, k]) => (k > 1 ? `${op} ×${k}` : op));
      return `on ${p}: ${ops.join(", ")}`;
    });
  return [`${main} of ${total} nodes on ${provider}`, ...others].join("; ");
}

const PROVIDER: Record<Device, string> = {
  cpu: "CPUExecutionProvider",
  cuda: "CUDAExecutionProvider",
  webgpu: "WebGpuExecutionProvider",
};

/** The diagnostic of a failed check; the failing node's doc string leads to its span in the spec. */
export function checkDiagnostic(
  outcome: Exclude<ProbeOutcome, { ok: true }>,
  model: string,
  device: Device,
  ir?: ModelIR,
): Diagnostic {
  const file = basename(model);
  if (outcome.phase === "abort") {
    const how = outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.code}`;
    const detail = [
      outcome.lastKernel ? `; the last kernel it started was ${outcome.lastKernel}` : "",
      outcome.message ? `: ${outcome.message.split("\n").slice(-3).join(" | ")}` : "",
    ].join("");
    return makeDiagnostic("DeviceGraphAborted", undefined, [device, model, how, detail]);
  }
  const first = outcome.message.split("\n")[0]!;
  const reason = first.replace(/^.*Status Message: /, "");
  // no session at all: the provider itself is missing or has no adapter, whatever the graph
  if (outcome.phase === "create" && !outcome.node)
    return makeDiagnostic("DeviceUnavailable", undefined, [
      device,
      first.replace(/^.* was false\. /, ""),
      deviceHelp(device),
    ]);
  const found =
    outcome.node && existsSync(model) ? findNode(readFileSync(model), outcome.node.name) : undefined;
  if (!outcome.node) return makeDiagnostic("DeviceGraphFailed", undefined, [device, file, first]);
  const doc = found?.docString;
  const construct = doc ? sourcePath(doc) : "(no spec construct recorded)";
  const span = doc && ir ? spanOf(ir, construct) : undefined;
  return makeDiagnostic("DeviceNodeFailed", span, [
    device,
    outcome.node.name,
    outcome.node.opType,
    file,
    doc ?? construct,
    reason,
  ]);
}

export interface CheckResult {
  /** false when a stamp said the graph had run before */
  readonly ran: boolean;
  readonly placement?: Placement;
  readonly summary: string;
}

/**
 * Throws a diagnostic unless `device` runs `model` (once per compiled graph; CPU is never checked). `note` tells
 * the user a check is running (on a software Vulkan driver it takes as long as a first training step).
 */
export async function checkDeviceRuns(
  model: string,
  device: Device,
  ir: ModelIR | undefined,
  note: (s: string) => void,
  opts: ProbeOptions = {},
): Promise<CheckResult> {
  if (device === "cpu") return { ran: false, summary: "cpu: not checked" };
  checkDevice(device); // a provider missing from this onnxruntime-node build needs no child process to say so
  const stamp = checkStamp(model, device);
  const version = ortVersion();
  if (existsSync(stamp)) {
    try {
      const s = JSON.parse(readFileSync(stamp, "utf8")) as { onnxruntime?: string; summary?: string };
      if (s.onnxruntime === version) return { ran: false, summary: s.summary ?? "" };
    } catch {
      // unreadable: check again
    }
  }
  note(`checking that --device ${device} runs ${basename(model)} (once per compiled graph)`);
  const outcome = await probeGraph(model, device, opts);
  if (!outcome.ok) throw new DiagnosticError([checkDiagnostic(outcome, model, device, ir)]);
  const summary = describePlacement(outcome.placement, PROVIDER[device]);
  await writeOutput(
    stamp,
    JSON.stringify({ onnxruntime: version, device, summary, seconds: outcome.seconds }, null, 2) + "\n",
  );
  note(`${device} runs ${basename(model)}: ${summary}`);
  return { ran: true, placement: outcome.placement, summary };
}
