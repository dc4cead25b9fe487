// The VS Code extension: `npm run package:vscode` builds a .vsix offline (what CI checks), the .vsix holds exactly
// the bundles, grammar, language configuration, snippets and readme, and the server bundled into it works on its
// own (diagnostics and formatting over stdio). The snippets expand to specs the checker accepts.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { listFiles, PackageManager } from "@vscode/vsce";
import { beforeAll, describe, expect, it } from "vitest";
import type { TextEdit } from "vscode-languageserver";
import { checkSpec } from "../../src/lower/check-spec.js";
import { LspClient, REPO, uriOf } from "./lsp-client.js";

const extension = path.join(REPO, "editors/vscode");
const vsix = path.join(mkdtempSync(path.join(tmpdir(), "vfm-vsix-")), "vfm.vsix");

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [path.join(extension, "scripts/package.mjs"), "--out", vsix], {
    cwd: REPO,
  });
}, 180_000);

describe("npm run package:vscode", () => {
  it("writes a .vsix (a zip) with the bundles, grammar, configuration, snippets and nothing else", async () => {
    const bytes = readFileSync(vsix);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    const files = await listFiles({ cwd: extension, packageManager: PackageManager.None });
    expect([...files].sort()).toEqual(
      [
        "LICENSE",
        "README.md",
        "dist/extension.js",
        "dist/server.js",
        "language-configuration.json",
        "package.json",
        "snippets/vfm.json",
        "syntaxes/vfm.tmLanguage.json",
      ].sort(),
    );
    // the grammar and configuration are the repository's, copied as they are
    expect(readFileSync(path.join(extension, "syntaxes/vfm.tmLanguage.json"), "utf8")).toBe(
      readFileSync(path.join(REPO, "grammar/vfm.tmLanguage.json"), "utf8"),
    );
    expect(statSync(vsix).size).toBeGreaterThan(50_000);
  });

  it("contributes the vfm language, its grammar, snippets and the server-path setting", () => {
    const manifest = JSON.parse(readFileSync(path.join(extension, "package.json"), "utf8"));
    expect(manifest.contributes.languages[0]).toMatchObject({
      id: "vfm",
      extensions: [".vfm"],
      configuration: "./language-configuration.json",
    });
    expect(manifest.contributes.grammars[0]).toMatchObject({ language: "vfm", scopeName: "source.vfm" });
    expect(manifest.contributes.configuration.properties["vfm.server.path"].type).toBe("string");
    expect(JSON.parse(readFileSync(path.join(REPO, "grammar/vfm.tmLanguage.json"), "utf8")).scopeName).toBe(
      "source.vfm",
    );
  });

  it("the bundled server answers on its own: diagnostics and formatting", async () => {
    const server = spawn(process.execPath, [path.join(extension, "dist/server.js"), "--stdio"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    try {
      const client = new LspClient(server.stdout, server.stdin);
      await client.initialize();
      const uri = uriOf("specs/__lsp_bundle__.vfm");
      client.open(uri, "model m {\n  backbone vit {patch 14,dim 192,depth 2,heads 3,ffn swiglo}\n}\n");
      expect((await client.diagnostics(uri, 1)).map((d) => d.code)).toContain("VFM2104");
      client.change(uri, "model m {\n  backbone vit {patch 14,dim 192,depth 2,heads 3}\n}\n", 2);
      const edits = await client.request<TextEdit[]>("textDocument/formatting", {
        textDocument: { uri },
        options: { tabSize: 2, insertSpaces: true },
      });
      expect(edits[0]?.newText).toContain("patch 14, dim 192");
    } finally {
      server.kill();
    }
  });
});

describe("snippets", () => {
  const snippets = JSON.parse(readFileSync(path.join(extension, "snippets/vfm.json"), "utf8")) as Record<
    string,
    { prefix: string; body: string[] }
  >;
  /** A snippet body with every placeholder at its default (the first choice), as a user who tabs through gets it. */
  const expand = (body: string[]) =>
    body
      .join("\n")
      .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, "$1")
      .replace(/\$\{\d+:([^}]*)\}/g, "$1")
      .replace(/\$\d+/g, "");
  const check = (text: string) =>
    checkSpec("snippet.vfm", { readFile: (f) => (f === "snippet.vfm" ? text : undefined) }).diagnostics;

  it("the new-model snippet is a complete model the checker accepts", () => {
    expect(check(expand(snippets["model"]!.body)).map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it("each section snippet is accepted inside that model", () => {
    const model = expand(snippets["model"]!.body).replace("model name {", "model base {");
    for (const [name, s] of Object.entries(snippets)) {
      if (["model", "model extends", "import"].includes(name)) continue;
      const text = `${model}\nmodel child extends base {\n${expand(s.body)}\n}\n`;
      expect(check(text).map((d) => `${name}: ${d.code} ${d.message}`)).toEqual([]);
    }
  });
});
