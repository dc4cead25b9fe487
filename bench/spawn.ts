// Runs one measurement in a child process and reads its result file. Children inherit a fixed thread budget
// through the usual environment variables as well (OpenMP/BLAS pools read them before any code runs), so neither
// side can quietly use more cores than the other.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildResult, Job } from "./jobs.js";

export const PYTHON = process.env["VFMC_BENCH_PYTHON"] ?? "/usr/bin/python3";

export type ChildOutcome =
  | { readonly ok: true; readonly result: ChildResult; readonly wallSeconds: number }
  | { readonly ok: false; readonly error: string; readonly wallSeconds: number };

/** The bundled worker beside this bundle (bench/run.mjs puts main and the workers together). */
function workerPath(name: string): string {
  return fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
}

function command(job: Job, torchPeer: string): [string, string[]] {
  const arg = JSON.stringify(job);
  if (job.kind.startsWith("torch-")) return [PYTHON, [torchPeer, arg]];
  if (job.kind === "data-torch" || job.kind === "decode-torch")
    return [PYTHON, [join(dirname(torchPeer), "data_peer.py"), arg]];
  if (job.kind === "data-vfmc" || job.kind === "decode-vfmc")
    return [process.execPath, [workerPath("data-worker"), arg]];
  if (job.kind === "compile") return [process.execPath, [workerPath("compile-worker"), arg]];
  return [process.execPath, [workerPath("ort-worker"), arg]];
}

function tail(s: string, lines = 12): string {
  return s.trim().split("\n").slice(-lines).join("\n");
}

export function runChild(
  job: Job,
  opts: { threads: number; spin: boolean; torchPeer: string; timeoutSeconds: number; verbose: boolean },
): Promise<ChildOutcome> {
  const [cmd, args] = command(job, opts.torchPeer);
  const t = String(opts.threads);
  const env = {
    ...process.env,
    OMP_NUM_THREADS: t,
    OPENBLAS_NUM_THREADS: t,
    MKL_NUM_THREADS: t,
    ...(opts.spin ? {} : { OMP_WAIT_POLICY: "PASSIVE" }),
  };
  const t0 = performance.now();
  return new Promise((resolve) => {
    if (existsSync(job.result)) rmSync(job.result);
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-20000);
      if (opts.verbose) process.stderr.write(b);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutSeconds * 1000);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `${cmd}: ${e.message}`, wallSeconds: 0 });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const wallSeconds = (performance.now() - t0) / 1000;
      if (code === 0 && existsSync(job.result)) {
        resolve({
          ok: true,
          result: JSON.parse(readFileSync(job.result, "utf8")) as ChildResult,
          wallSeconds,
        });
      } else {
        const why = signal === "SIGKILL" ? `killed after ${opts.timeoutSeconds} s` : `exit ${code ?? signal}`;
        resolve({ ok: false, error: `${why}: ${tail(output) || "(no output)"}`, wallSeconds });
      }
    });
  });
}
