// Entry of `npm run bench`: bundles the TypeScript harness (bench/*.ts, and the src/ modules it uses) with esbuild
// into node_modules/.cache/vfmc-bench, then runs it. Bundling from source means the benchmark always measures the
// code in the working tree, never a stale dist/.
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { bundleBench } from "./bundle.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
export const outdir = join(root, "node_modules", ".cache", "vfmc-bench");

await bundleBench(outdir);

const { main } = await import(pathToFileURL(join(outdir, "main.mjs")).href);
process.exitCode = await main(process.argv.slice(2));
