// The VS Code client for .vfm: starts the vfmc language server and hands it every .vfm document. Which server runs:
// the `vfm.server.path` setting if set; else the workspace's node_modules/.bin/vfmc (the project's own vfmc, so
// the editor and `vfmc check` agree); else `vfmc` on PATH; else the server bundled into this extension
// (dist/server.js, built from the same sources by scripts/package.mjs).
import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("vfm.restartServer", async () => {
      await stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("vfm.server.path")) {
        await stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "vfm" },
      { scheme: "untitled", language: "vfm" },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.vfm") },
  };
  client = new LanguageClient("vfm", "VFM Language Server", serverOptions(context), clientOptions);
  await client.start();
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}

function serverOptions(context: vscode.ExtensionContext): ServerOptions {
  const configured = vscode.workspace.getConfiguration("vfm").get<string>("server.path")?.trim();
  const executable = configured || workspaceVfmc() || onPath("vfmc");
  if (executable) {
    // npm's bin shims on Windows are .cmd files, which only a shell can start.
    const run = {
      command: executable,
      args: ["lsp", "--stdio"],
      options: { shell: process.platform === "win32" },
    };
    return { run, debug: run };
  }
  const module = context.asAbsolutePath(path.join("dist", "server.js"));
  return {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio },
  };
}

function workspaceVfmc(): string | undefined {
  const name = process.platform === "win32" ? "vfmc.cmd" : "vfmc";
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const candidate = path.join(folder.uri.fsPath, "node_modules", ".bin", name);
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function onPath(name: string): string | undefined {
  const names = process.platform === "win32" ? [`${name}.cmd`, `${name}.exe`] : [name];
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    for (const n of names) {
      const candidate = path.join(dir, n);
      if (dir && isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}
