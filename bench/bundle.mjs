// Bundles the TypeScript bench harness (bench/*.ts and the src/ modules it uses) with esbuild into `outdir`, one
// .mjs per entry beside the others (the harness finds its child scripts next to itself). Used by `npm run bench`
// (bench/run.mjs) and by the GPU run kit (scripts/gpu-kit.mjs), which adds gpu-check.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The harness's entries, by output name, as paths from the repository root. */
const ENTRIES = {
  main: "bench/main.ts",
  "ort-worker": "bench/ort-worker.ts",
  "compile-worker": "bench/compile-worker.ts",
  "data-worker": "bench/data-worker.ts",
  // the data pipeline's worker threads, started by data-worker (worker-pool.ts)
  "batch-worker": "src/runtime/augment/batch-worker.ts",
};

/** The harness and `extra` (output name → path from the repository root) bundled into `outdir`. */
export function bundleBench(outdir, extra = {}, sourcemap = true) {
  const entries = { ...ENTRIES, ...extra };
  return build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([k, f]) => [k, join(root, f)])),
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap,
    logLevel: "warning",
  });
}
