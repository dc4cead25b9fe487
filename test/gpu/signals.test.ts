// Signals during WebGPU training, on the real command: `vfmc run --device webgpu` as a child process (bundled from
// the sources with its training and data workers, as dist/ runs it), on SwiftShader.
//  1. A process that dies natively while a GPU call is in flight (SIGABRT, what `terminate called …` ends in)
//     leaves the checkpoint written before the call intact: it loads, and a --resume continues from it.
//  2. SIGTERM while a GPU call is in flight stops after that call and writes the checkpoint the README promises
//     (state read back from GPU buffers), exit status 143.
// What a second signal does to a worker inside a native call is issue 15's mechanism and tested there.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointPath } from "../../src/runtime/checkpoint/checkpoint.js";
import { readSafetensors } from "../../src/runtime/checkpoint/safetensors.js";
import { scratchDir } from "../harness/scratch-dir.js";
import { useSwiftShader } from "../harness/webgpu.js";

const setup = useSwiftShader();
const REPO = new URL("../../", import.meta.url).pathname;
const SPEC = join(REPO, "test/gpu/gpu-micro.vfm");
const bundle = join(REPO, "node_modules/.cache/vfmc-gpu-signals");

interface Child {
  /** resolves with the first stderr line matching `re` */
  waitFor(re: RegExp): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  readonly done: Promise<{ code: number | null; signal: string | null; err: string }>;
}

function vfmcChild(args: readonly string[]): Child {
  const child = spawn(process.execPath, [join(bundle, "vfmc.mjs"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let err = "";
  const waiting: { re: RegExp; resolve: (l: string) => void }[] = [];
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    for (const w of [...waiting]) {
      const line = err.split("\n").find((l) => w.re.test(l));
      if (line) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stdout.resume();
  const done = new Promise<{ code: number | null; signal: string | null; err: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, err })),
  );
  return {
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        waiting.push({ re, resolve });
        void done.then((r) =>
          reject(new Error(`the run ended (${r.code ?? r.signal}) before ${re}:\n${r.err}`)),
        );
      }),
    kill: (signal) => child.kill(signal),
    done,
  };
}

describe.runIf(!setup.icd && setup.required)("signals on WebGPU under CI", () => {
  it("finds SwiftShader and the Vulkan loader (.ci/run installs chromium and libvulkan1)", () => {
    expect.fail(setup.reason);
  });
});

describe.skipIf(!setup.icd)(
  `signals during WebGPU calls${setup.icd ? "" : ` (skipped: ${setup.reason})`}`,
  () => {
    const root = scratchDir("vfmc-gpu-signals-");
    const out = join(root, "run");
    const args = [
      "run",
      "--train",
      SPEC,
      "--device",
      "webgpu",
      "--steps",
      "200",
      "--checkpoint-every",
      "1",
      "--log-every",
      "1",
      "--threads",
      "1",
      "--data-workers",
      "1",
      "--no-knn",
      "--out",
      out,
    ];

    beforeAll(async () => {
      mkdirSync(bundle, { recursive: true });
      // the CLI and, beside it, the worker scripts the trainer and the data pipeline look for next to themselves
      const entries: [string, string][] = [
        [
          "vfmc.mjs",
          `import { main } from ${JSON.stringify(join(REPO, "src/cli/main.ts"))};\nprocess.exitCode = await main(process.argv.slice(2));\n`,
        ],
        ["worker.js", `import ${JSON.stringify(join(REPO, "src/runtime/trainer/worker.ts"))};\n`],
        ["batch-worker.js", `import ${JSON.stringify(join(REPO, "src/runtime/augment/batch-worker.ts"))};\n`],
      ];
      for (const [file, contents] of entries)
        await build({
          stdin: { contents, resolveDir: REPO, loader: "ts" },
          bundle: true,
          platform: "node",
          format: "esm",
          packages: "external",
          outfile: join(bundle, file),
          logLevel: "error",
        });
    });

    it(
      "a native abort during a GPU call leaves the last checkpoint whole, and --resume continues from it",
      { timeout: 600_000 },
      async () => {
        const run = vfmcChild(args);
        await run.waitFor(/^checkpoint at step 2:/);
        await run.waitFor(/^step +3\/200/);
        run.kill("SIGABRT");
        const ended = await run.done;
        expect(ended.signal).toBe("SIGABRT");
        const ckpt = await readSafetensors(checkpointPath(out));
        const step = Number(ckpt.metadata.step);
        expect(step).toBeGreaterThanOrEqual(2);
        expect(ckpt.tensors.size).toBeGreaterThan(100);

        // 2. the resumed run, stopped by SIGTERM while its GPU call is in flight
        const resumed = vfmcChild([...args, "--resume"]);
        await resumed.waitFor(new RegExp(`^step +${step + 2}/200`));
        resumed.kill("SIGTERM");
        const r = await resumed.done;
        expect(r.code, r.err).toBe(143);
        const m = /warning VFM6207: SIGTERM at step (\d+): checkpoint written to (.*)/.exec(r.err);
        expect(m, r.err).not.toBeNull();
        const stoppedAt = Number(m![1]);
        expect(stoppedAt).toBeGreaterThanOrEqual(step + 2);
        expect(existsSync(m![2]!.trim())).toBe(true);
        expect((await readSafetensors(checkpointPath(out))).metadata.step).toBe(String(stoppedAt));
      },
    );
  },
);
