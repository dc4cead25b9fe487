// The real thing: `vfmc lsp --stdio` as a child process, spoken to over its stdin/stdout. The CLI is bundled from
// the sources with esbuild first (a fraction of a second), so the test never runs a stale dist/.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hover, MarkupContent } from "vscode-languageserver";
import { LspClient, positionOf, REPO, uriOf } from "./lsp-client.js";

const outDir = path.join(REPO, "node_modules/.cache/vfmc-lsp-test");
const cli = path.join(outDir, "vfmc.mjs");
let server: ChildProcess;
let client: LspClient;
let stderr = "";

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    stdin: {
      contents: `import { main } from ${JSON.stringify(path.join(REPO, "src/cli/main.ts"))};\nprocess.exitCode = await main(process.argv.slice(2));\n`,
      resolveDir: REPO,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile: cli,
    logLevel: "error",
  });
  server = spawn(process.execPath, [cli, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  server.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  client = new LspClient(server.stdout!, server.stdin!);
});

afterAll(() => {
  if (server.exitCode === null) server.kill();
});

describe("vfmc lsp --stdio", () => {
  it("initializes, publishes diagnostics for a broken buffer, answers hovers, and exits cleanly", async () => {
    const init = await client.request<{
      capabilities: Record<string, unknown>;
      serverInfo: { name: string };
    }>("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    expect(init.serverInfo.name).toBe("vfmc");
    expect(init.capabilities).toMatchObject({
      hoverProvider: true,
      definitionProvider: true,
      documentFormattingProvider: true,
    });
    client.notify("initialized", {});

    const uri = uriOf("specs/__lsp_stdio__.vfm");
    const text = "model m {\n  backbone vit { patch 14, dim 192, depth 2, heads 3, ffn swiglo }\n}\n";
    client.open(uri, text);
    const ds = await client.diagnostics(uri, 1);
    const bad = ds.find((d) => d.code === "VFM2104");
    expect(bad?.range).toEqual({ start: positionOf(text, "swiglo"), end: positionOf(text, "swiglo", 6) });

    const hover = await client.request<Hover>("textDocument/hover", {
      textDocument: { uri },
      position: positionOf(text, "depth", 1),
    });
    expect((hover.contents as MarkupContent).value).toContain("**backbone.depth**");

    await client.request("shutdown", null);
    const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
    client.notify("exit", null);
    expect(await exited).toBe(0);
    expect(stderr).toBe("");
  });
});
