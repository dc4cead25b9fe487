// Entry of `npm run bench`: bundles the TypeScript harness (bench/*.ts, and the src/ modules it uses) with esbuild
// into node_modules/.cache/vfmc-bench, then runs it. Bundling from source means the benchmark always measures the
// code in the working tree, never a stale dist/.
import { build } from "esbuild";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
export const outdir = join(root, "node_modules", ".cache", "vfmc-bench");

await build({
  entryPoints: {
    main: join(root, "bench", "main.ts"),
    "ort-worker": join(root, "bench", "ort-worker.ts"),
    "compile-worker": join(root, "bench", "compile-worker.ts"),
    "data-worker": join(root, "bench", "data-worker.ts"),
    // the data pipeline's worker threads, started by data-worker (worker-pool.ts)
    "batch-worker": join(root, "src", "runtime", "augment", "batch-worker.ts"),
  },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

const { main } = await import(pathToFileURL(join(outdir, "main.mjs")).href);
process.exitCode = await main(process.argv.slice(2));
