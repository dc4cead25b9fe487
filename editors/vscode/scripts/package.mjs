// `npm run package:vscode`: builds the VS Code extension for .vfm and packs it into a .vsix, offline.
// 0. tsc type-checks the client (esbuild does not);
// 1. esbuild bundles the client (src/extension.ts, `vscode` left external) and the language server (src/server.ts →
//    the repository's src/lsp, with the compiler it reuses) into CommonJS files under dist/;
// 2. the TextMate grammar and language configuration are copied from the repository's grammar/ folder (their
//    only home), the licence from the repository root when there is one;
// 3. @vscode/vsce packs the folder as .vscodeignore allows, without dependencies (everything is bundled).
// Prints the .vsix path and size. `--out <file>` chooses where the .vsix goes (default: editors/vscode/vfm-<version>.vsix).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createVSIX } from "@vscode/vsce";

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url))); // editors/vscode
const root = path.resolve(here, "../..");
const manifest = JSON.parse(readFileSync(path.join(here, "package.json"), "utf8"));
const outArg = process.argv.indexOf("--out");
const vsix =
  outArg > 0
    ? path.resolve(process.argv[outArg + 1])
    : path.join(here, `${manifest.name}-${manifest.version}.vsix`);

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", path.join(here, "tsconfig.json")], { stdio: "inherit" });

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  logLevel: "warning",
  legalComments: "none",
};
await build({
  ...common,
  entryPoints: [path.join(here, "src/extension.ts")],
  outfile: path.join(here, "dist/extension.js"),
  external: ["vscode"],
  minify: true,
});
await build({
  ...common,
  entryPoints: [path.join(here, "src/server.ts")],
  outfile: path.join(here, "dist/server.js"),
  // The formatter needs only prettier's core and its own plugin; the standalone build leaves out the bundled
  // language plugins (JavaScript, CSS, …) that the full entry would pull in.
  alias: { prettier: "prettier/standalone" },
  minify: true,
});

mkdirSync(path.join(here, "syntaxes"), { recursive: true });
copyFileSync(path.join(root, "grammar/vfm.tmLanguage.json"), path.join(here, "syntaxes/vfm.tmLanguage.json"));
copyFileSync(
  path.join(root, "grammar/language-configuration.json"),
  path.join(here, "language-configuration.json"),
);
const license = ["LICENSE", "LICENSE.md", "LICENSE.txt"]
  .map((f) => path.join(root, f))
  .find((f) => existsSync(f));
if (license) copyFileSync(license, path.join(here, "LICENSE"));

mkdirSync(path.dirname(vsix), { recursive: true });
await createVSIX({
  cwd: here,
  packagePath: vsix,
  dependencies: false,
  skipLicense: !license,
  // The manifest names no repository until the project has a public home; vsce would otherwise ask.
  allowMissingRepository: !manifest.repository,
});
console.log(`${path.relative(process.cwd(), vsix)}: ${(statSync(vsix).size / 1024).toFixed(0)} KiB`);
