// Runs the TextMate grammar's annotated samples (test/grammar/*.test.vfm) through vscode-tmgrammar-test.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = createRequire(import.meta.url).resolve("vscode-tmgrammar-test/dist/unit.js");

describe("TextMate grammar", () => {
  it("is valid JSON with the agreed scope name, and its language configuration knows // comments", () => {
    const grammar = JSON.parse(readFileSync(`${root}grammar/vfm.tmLanguage.json`, "utf8")) as {
      scopeName: string;
    };
    expect(grammar.scopeName).toBe("source.vfm");
    const config = JSON.parse(readFileSync(`${root}grammar/language-configuration.json`, "utf8")) as {
      comments: { lineComment: string };
    };
    expect(config.comments.lineComment).toBe("//");
  });

  it("scopes every annotated sample as asserted", () => {
    const r = spawnSync(
      process.execPath,
      [cli, "-g", "grammar/vfm.tmLanguage.json", "test/grammar/*.test.vfm"],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.stdout + r.stderr).toContain("run successfuly");
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
