// Test harness: `vfmc` as a real child process, for what only a process shows — signals, resource limits (a full
// disk is simulated with `ulimit -f`), native aborts. The CLI and its two worker scripts (the training loop and the
// data pipeline) are bundled from the sources with esbuild into one folder, as dist/ lays them out, so a test never
// runs a stale dist/ and the trainer runs in its worker thread exactly as installed.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const REPO = resolve(import.meta.dirname, "../..");

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
  readonly ms: number;
}

/** Bundles the CLI into `dir` (once per test file; about a second) and returns the entry script. */
export async function bundleCli(dir = join(REPO, "node_modules/.cache/vfmc-process-test")): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const common = {
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "error",
  } as const;
  await build({
    ...common,
    stdin: {
      contents: `import { main } from ${JSON.stringify(join(REPO, "src/cli/main.ts"))};\nprocess.exitCode = await main(process.argv.slice(2));\n`,
      resolveDir: REPO,
      loader: "ts",
    },
    outfile: join(dir, "vfmc.mjs"),
  });
  // the trainer and the data pipeline find their workers beside the module that starts them: here, the bundle
  await build({
    ...common,
    entryPoints: [join(REPO, "src/runtime/trainer/worker.ts")],
    outfile: join(dir, "worker.js"),
  });
  await build({
    ...common,
    entryPoints: [join(REPO, "src/runtime/augment/batch-worker.ts")],
    outfile: join(dir, "batch-worker.js"),
  });
  return join(dir, "vfmc.mjs");
}

export interface SpawnOptions {
  /** `ulimit -f` in KiB: writes past it fail with EFBIG, as on a full disk (SIGXFSZ is ignored) */
  readonly fileSizeLimitKiB?: number;
  /** called with each chunk of stderr as it arrives, and a way to signal the process */
  readonly onErr?: (all: string, kill: (signal: NodeJS.Signals) => void) => void;
  readonly timeoutMs?: number;
}

/** Runs `node cli ARGS…` in the repository root. */
export function runProcess(
  cli: string,
  args: readonly string[],
  opts: SpawnOptions = {},
): Promise<ProcessResult> {
  const t0 = performance.now();
  const quoted = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const child =
    opts.fileSizeLimitKiB !== undefined
      ? spawn("bash", ["-c", `trap '' XFSZ; ulimit -f ${opts.fileSizeLimitKiB}; exec ${quoted}`], {
          cwd: REPO,
        })
      : spawn(process.execPath, [cli, ...args], { cwd: REPO });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    opts.onErr?.(err, (s) => child.kill(s));
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
  return new Promise((done) =>
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, out, err, ms: performance.now() - t0 });
    }),
  );
}
