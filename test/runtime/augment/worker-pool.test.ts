// The worker path needs JavaScript (Node cannot start a .ts worker; see worker-pool.ts). This test transpiles the
// sources the worker needs with TypeScript's transpileModule (no type check, ~1 s) into a temporary folder
// and points the pool at that copy of batch-worker.js. The folder is inside node_modules/.cache, so the copy finds
// the packages it imports (sharp) as the sources do.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { DiagnosticError } from "../../../src/diagnostics/diagnostic.js";
import type { BatchStreamOptions, StepBatch } from "../../../src/runtime/augment/batch-job.js";
import { REFERENCE_AUGMENT } from "../../../src/runtime/augment/multi-crop.js";
import { createBatchProducer, createInThreadProducer } from "../../../src/runtime/augment/worker-pool.js";
import { writeJpegFolder } from "../../harness/images.js";
import { scratchDir } from "../../harness/scratch-dir.js";

const root = new URL("../../../", import.meta.url).pathname;
const out = scratchDir("vfmc-pool-", join(root, "node_modules", ".cache"));

// the worker's import closure only (the rest of src/runtime may import later pipeline stages)
function transpile(path: string): void {
  if (statSync(join(root, path)).isDirectory()) {
    for (const entry of readdirSync(join(root, path))) transpile(join(path, entry));
  } else if (path.endsWith(".ts")) {
    const js = ts.transpileModule(readFileSync(join(root, path), "utf-8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const dest = join(out, relative("src", path)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
}

const options: BatchStreamOptions = {
  data: { kind: "synthetic", seed: 2, size: 32, trainSize: 40 },
  crops: {
    global: { count: 2, size: 32, scale: [0.32, 1] },
    local: { count: 2, size: 16, scale: [0.05, 0.32] },
    augment: REFERENCE_AUGMENT,
  },
  batch: 4,
  seed: 5,
  masking: { kind: "cyclic", ratio: [0.1, 0.65], images: 0.5, patch: 4 },
};
const bytes = (b: StepBatch) =>
  Buffer.concat(
    [b.crops.global, b.crops.local, b.crops.indices, b.masks!.masks, b.masks!.maskIndices].map((a) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    ),
  );

describe("batch producers", () => {
  let script: URL;
  beforeAll(() => {
    for (const path of [
      "src/runtime/rng.ts",
      "src/runtime/memory.ts",
      "src/runtime/data",
      "src/runtime/image",
      "src/runtime/augment",
      "src/runtime/masks",
      "src/diagnostics",
      "src/files",
    ]) {
      transpile(path);
    }
    writeFileSync(join(out, "package.json"), '{ "type": "module" }');
    script = pathToFileURL(join(out, "runtime/augment/batch-worker.js"));
  });

  it("in-thread: steps in order, masks for the global crops, resumable from a step", async () => {
    const p = createInThreadProducer(options);
    expect(p.mode).toBe("in-thread");
    const b0 = await p.next();
    const b1 = await p.next();
    expect([b0.step, b1.step, p.nextStep]).toEqual([0, 1, 2]);
    expect(b0.masks!.nImages).toBe(8);
    expect(b0.masks!.nTokens).toBe(64);
    expect(b0.masks!.maskedCount.filter((x) => x > 0).length).toBe(4);
    const resumed = createInThreadProducer(options, 1);
    expect(bytes(await resumed.next()).equals(bytes(b1))).toBe(true);
  });

  it("falls back to in-thread when there is no compiled worker", async () => {
    const p = await createBatchProducer({ ...options, workerScript: pathToFileURL(join(out, "missing.js")) });
    expect(p.mode).toBe("in-thread");
    await p.close();
  });

  it("workers: the same batches as in-thread, in step order, from any start step", async () => {
    const reference = createInThreadProducer(options, 3);
    const want = [];
    for (let i = 0; i < 6; i++) want.push(bytes(await reference.next()));
    const p = await createBatchProducer({
      ...options,
      workers: 2,
      prefetch: 3,
      startStep: 3,
      workerScript: script,
    });
    try {
      expect(p.mode).toBe("workers");
      for (let i = 0; i < 6; i++) {
        const b = await p.next();
        expect(b.step).toBe(3 + i);
        expect(bytes(b).equals(want[i]!)).toBe(true);
      }
    } finally {
      await p.close();
    }
  });

  it("a JPEG folder: 1 and 3 workers give the batches of the in-thread producer, skipped files included", async () => {
    const photos = join(out, "photos");
    await writeJpegFolder(photos, 3, 5, 40);
    writeFileSync(join(photos, "class1", "broken.jpg"), "not a jpeg"); // replaced the same way by every worker
    const jpegs: BatchStreamOptions = { ...options, data: { kind: "folder", path: photos }, batch: 5 };
    const reference = createInThreadProducer(jpegs);
    const want = [];
    for (let i = 0; i < 5; i++) want.push(await reference.next());
    expect(want.flatMap((b) => b.crops.skipped.map((s) => s.reason))).toContain(
      "not an image vfmc reads (JPEG, PNG or WebP)",
    );
    for (const workers of [1, 3]) {
      const p = await createBatchProducer({ ...jpegs, workers, prefetch: 4, workerScript: script });
      try {
        expect([p.mode, p.workers]).toEqual(["workers", workers]);
        for (let i = 0; i < 5; i++) {
          const b = await p.next();
          expect(bytes(b).equals(bytes(want[i]!)), `step ${i}, ${workers} workers`).toBe(true);
          expect(b.crops.skipped).toEqual(want[i]!.crops.skipped);
        }
      } finally {
        await p.close();
      }
    }
  });

  it("workers: a dataset that cannot be opened is a diagnostic, not a hang", async () => {
    const bad = { ...options, data: { kind: "idx" as const, path: join(out, "no-such-data") } };
    const err = await createBatchProducer({ ...bad, workers: 1, workerScript: script }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DiagnosticError);
    expect((err as DiagnosticError).diagnostics[0]!.code).toBe("VFM6101");
  });
});
