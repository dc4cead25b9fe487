// The training-step graph of a `vfmc run --train`, cached per content hash in <out>/compiled/<hash>/: a run
// compiles only when neither the effective model nor the compiler changed since a run in that folder compiled it.
// An entry counts only when its completeness marker (written last, listing every file and its size) agrees with
// the folder: a compile cut short by a full disk or kill -9 is compiled again, never half reused.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelIR } from "../ir/model.js";
import type { Manifest } from "../lower/manifest.js";
import { DEFAULT_OPSET } from "../onnx/model.js";
import { modelHash } from "../runtime/trainer/overrides.js";
import { writeOutput } from "../files/output.js";
import { compileToDir } from "./compile-to-dir.js";

/** The completeness marker of a cache entry: `{ "files": { name: bytes } }`. */
export const CACHE_MARKER = "complete.json";

/** The manifest of a complete cache entry in `dir`, or undefined when the entry is missing, partial or damaged. */
function cachedManifest(dir: string, manifestFile: string): Manifest | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(dir, CACHE_MARKER), "utf8")) as {
      files?: Record<string, number>;
    };
    const files = Object.entries(marker.files ?? {});
    if (!files.some(([f]) => f === manifestFile)) return undefined;
    for (const [f, bytes] of files) if (statSync(join(dir, f)).size !== bytes) return undefined;
    return JSON.parse(readFileSync(join(dir, manifestFile), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * What the compiled graphs depend on besides the model: the code that compiles them. A hash of the compiler's own
 * modules, so a changed or upgraded vfmc never reuses graphs an older one wrote.
 */
function compilerFingerprint(): string {
  const h = createHash("sha256");
  for (const area of ["ir", "graph", "lower", "onnx"]) {
    const dir = fileURLToPath(new URL(`../${area}/`, import.meta.url));
    if (!existsSync(dir)) continue;
    const files = (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => /\.(js|ts)$/.test(f))
      .sort();
    for (const f of files) h.update(`${area}/${f}\0`).update(readFileSync(join(dir, f)));
  }
  return h.digest("hex").slice(0, 16);
}

/** The training graph of `ir` in <out>/compiled/<hash>/, compiled only when that folder lacks it. */
export async function compiledTrainGraph(
  ir: ModelIR,
  out: string,
  log: (s: string) => void,
): Promise<{ manifest: Manifest; model: string; stepsModel: string }> {
  const hash = modelHash(ir, { compiler: compilerFingerprint(), opset: DEFAULT_OPSET });
  const dir = join(out, "compiled", hash);
  const manifestFile = `${ir.name}.manifest.json`;
  const model = join(dir, `${ir.name}.train.onnx`);
  const stepsModel = join(dir, `${ir.name}.steps.onnx`);
  const cached = cachedManifest(dir, manifestFile);
  if (cached) {
    log(`using the compiled graphs in ${dir}`);
    return { manifest: cached, model, stepsModel };
  }
  const t0 = performance.now();
  const r = await compileToDir(ir, dir, {
    // the step graph for WebGPU, the same step inside a Loop for CPU and CUDA
    emit: ["train", "steps"],
    opset: DEFAULT_OPSET,
    weights: [],
    externalData: "auto",
  });
  const files = [
    manifestFile,
    ...r.reports.flatMap((g) => (g.externalBytes > 0 ? [g.file, g.file + ".data"] : [g.file])),
  ];
  const sizes = Object.fromEntries(files.map((f) => [f, statSync(join(dir, f)).size]));
  await writeOutput(join(dir, CACHE_MARKER), JSON.stringify({ files: sizes }, null, 2) + "\n");
  log(
    `compiled ${ir.name}.train.onnx and .steps.onnx (${r.reports[0]?.nodes ?? "?"} nodes per step) in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}`,
  );
  return { manifest: r.manifest, model, stepsModel };
}
