// Can this execution provider run this graph? Answered before training starts, by running the graph once, with
// zeros for every input, in a child process: an accelerator provider can fail in two ways, and only a separate
// process survives both —
//  - an onnxruntime error status ("Non-zero status code returned while running Resize node. Name:'…' Status
//    Message: … NOT implemented"), which names the node: its doc string names the spec construct that built it;
//  - a native abort (an exception escaping the provider or the binding: `terminate called after throwing …`),
//    which would take the trainer, and the run's progress, with it. The child runs with onnxruntime's verbose log,
//    so the parent still learns the last kernel the WebGPU provider started and where onnxruntime placed each node.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { Device } from "./session.js";

export type ProbeOutcome =
  | { readonly ok: true; readonly seconds: number; readonly placement: Placement }
  | {
      readonly ok: false;
      readonly phase: "create" | "run";
      readonly message: string;
      /** the node onnxruntime named in its error, when it named one */
      readonly node?: { readonly name: string; readonly opType: string };
      readonly placement: Placement;
    }
  | {
      readonly ok: false;
      readonly phase: "abort";
      /** the signal that ended the child (SIGABRT for `terminate called …`), or its exit code */
      readonly signal: string | null;
      readonly code: number | null;
      /** the last lines the child wrote to stderr that are not onnxruntime's log (e.g. `terminate called …`) */
      readonly message: string;
      /** the last WebGPU program the provider started before the abort (`MatMul…`), when the log shows one */
      readonly lastKernel?: string;
      readonly placement: Placement;
    };

/** Nodes per execution provider, as onnxruntime's verbose log lists them (`Node(s) placed on [X]`). */
export type Placement = Record<string, readonly { readonly opType: string; readonly name: string }[]>;

/**
 * The child program (CommonJS, run with `node -e`; argv: onnxruntime-node's entry, the model, the device). It is
 * source text rather than a function of this module because a test runner or bundler rewrites a function's body
 * (dynamic imports, helper calls) into something a bare child process cannot run. It prints one JSON line.
 */
const CHILD = `
const [ortEntry, model, device] = process.argv.slice(1);
const ort = require(ortEntry);
let phase = "create";
(async () => {
  try {
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(model, {
      executionProviders: [device],
      logSeverityLevel: 0,
      logVerbosityLevel: 0,
      graphOptimizationLevel: "all",
      enableMemPattern: false,
    });
    phase = "run";
    const feeds = {};
    session.inputNames.forEach((name, i) => {
      const meta = session.inputMetadata[i] || {};
      const dims = (meta.shape || []).map((d) => (typeof d === "number" ? d : 1));
      const n = dims.reduce((a, b) => a * b, 1);
      const type = meta.type || "float32";
      const data =
        type === "int64" ? new BigInt64Array(n)
        : type === "int32" ? new Int32Array(n)
        : type === "bool" || type === "uint8" ? new Uint8Array(n)
        : type === "float16" ? new Uint16Array(n)
        : new Float32Array(n);
      feeds[name] = new ort.Tensor(type, data, dims);
    });
    await session.run(feeds);
    await session.release();
    process.stdout.write(JSON.stringify({ ok: true, seconds: (performance.now() - t0) / 1000 }) + "\\n");
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, phase, message: String((e && e.message) || e) }) + "\\n");
    process.exitCode = 1;
  }
})();
`;

const ORT_LOG = /^\S*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[([VIWEF]):onnxruntime/;
const PLACED = /Node\(s\) placed on \[(\w+)\]/;
const PLACED_NODE = /VerifyEachNodeIsAssignedToAnEp\]\s{3}(\S+) \((.*)\)\s*$/;
const PROGRAM = /Starting program "([^"]+)"/;

/** Reads the child's stderr line by line: placement, the last WebGPU program, the non-log tail. */
class ChildLog {
  readonly placement: Record<string, { opType: string; name: string }[]> = {};
  lastKernel: string | undefined;
  private provider: string | undefined;
  private partial = "";
  private readonly tail: string[] = [];

  feed(chunk: string): void {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    for (const l of lines) this.line(l);
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = "";
  }

  private line(raw: string): void {
    // the log is coloured on a terminal; the escapes carry no information here
    // eslint-disable-next-line no-control-regex
    const l = raw.replace(/\x1b\[[0-9;]*m/g, "");
    const placed = PLACED.exec(l);
    if (placed) {
      this.provider = placed[1]!;
      this.placement[this.provider] ??= [];
      return;
    }
    const node = this.provider ? PLACED_NODE.exec(l) : null;
    if (node) {
      this.placement[this.provider!]!.push({ opType: node[1]!, name: node[2]! });
      return;
    }
    if (ORT_LOG.test(l)) {
      this.provider = undefined;
      const program = PROGRAM.exec(l);
      if (program) this.lastKernel = program[1]!;
      return;
    }
    if (l.trim() === "") return;
    this.tail.push(l);
    if (this.tail.length > 20) this.tail.shift();
  }

  get message(): string {
    return this.tail.join("\n");
  }
}

/** The node an onnxruntime error message names: `running Resize node. Name:'rz'` or `node with name 'rz'`. */
export function nodeInMessage(message: string): { name: string; opType: string } | undefined {
  const running = /running (\S+) node\. Name:'([^']*)'/.exec(message);
  if (running) return { opType: running[1]!, name: running[2]! };
  const named = /for (\S+?)(?:\(\d+\))? node with name '([^']*)'/.exec(message);
  if (named) return { opType: named[1]!, name: named[2]! };
  return undefined;
}

export interface ProbeOptions {
  /** environment of the child (default: this process's, which carries VK_ICD_FILENAMES and the like) */
  readonly env?: NodeJS.ProcessEnv;
  /** called with the child's pid once it runs */
  readonly onSpawn?: (pid: number) => void;
}

/** Runs `model` once on `device` with zero inputs in a child process and says how that went. */
export function probeGraph(model: string, device: Device, opts: ProbeOptions = {}): Promise<ProbeOutcome> {
  const require = createRequire(import.meta.url);
  const ortEntry = require.resolve("onnxruntime-node");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", CHILD, ortEntry, model, device], {
      stdio: ["ignore", "pipe", "pipe"],
      env: opts.env ?? process.env,
    });
    const log = new ChildLog();
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => log.feed(d));
    child.on("error", reject);
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    child.on("close", (code, signal) => {
      log.end();
      const placement = log.placement;
      const last = stdout.trim().split("\n").pop();
      let reported: { ok: boolean; seconds?: number; phase?: "create" | "run"; message?: string } | undefined;
      try {
        reported = last ? (JSON.parse(last) as typeof reported) : undefined;
      } catch {
        reported = undefined;
      }
      if (reported?.ok) return resolve({ ok: true, seconds: reported.seconds ?? 0, placement });
      if (reported && reported.phase) {
        const message = reported.message ?? "";
        const node = nodeInMessage(message);
        return resolve({ ok: false, phase: reported.phase, message, placement, ...(node ? { node } : {}) });
      }
      resolve({
        ok: false,
        phase: "abort",
        signal,
        code,
        message: log.message,
        placement,
        ...(log.lastKernel ? { lastKernel: log.lastKernel } : {}),
      });
    });
  });
}
