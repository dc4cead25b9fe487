// The folder tree is the pipeline: a stage may import only itself, earlier stages, src/diagnostics and src/files (the
// one output helper and the input registry, which every stage that reads or writes a file uses); those two import
// nothing of the pipeline.
// Only src/lang may import chevrotain; only src/onnx and src/runtime may import protobufjs/onnx-proto/onnxruntime-node;
// only src/runtime may import sharp (image decoding).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(__dirname, "../src");
const BESIDE = ["diagnostics", "files"];
const ORDER = ["diagnostics", "files", "lang", "ir", "graph", "lower", "onnx", "runtime", "lsp", "cli"];
// graph emits the plain ONNX description types of src/onnx/model.ts (types only, no protobuf).
const ALLOWED_UPSTREAM: Record<string, readonly string[]> = { graph: ["onnx/model.js"] };
const PACKAGE_OWNERS: Record<string, readonly string[]> = {
  chevrotain: ["lang"],
  protobufjs: ["onnx"],
  "onnx-proto": ["onnx"],
  "onnxruntime-node": ["onnx", "runtime", "cli"],
  sharp: ["runtime"],
};

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

const stageOf = (file: string): string => relative(SRC, file).split("/")[0] ?? "";

describe("architecture", () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const from = stageOf(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)) {
      const spec = m[1]!;
      if (spec.startsWith(".")) {
        const target = relative(SRC, resolve(dirname(file), spec));
        const to = target.split("/")[0] ?? "";
        if (to === from || BESIDE.includes(to)) continue;
        const upstream = ORDER.indexOf(to) > ORDER.indexOf(from);
        if (upstream && !(ALLOWED_UPSTREAM[from] ?? []).includes(target))
          violations.push(`${relative(SRC, file)} imports ${target} (${to} comes after ${from})`);
      } else {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        const owners = PACKAGE_OWNERS[pkg];
        if (owners && !owners.includes(from)) violations.push(`${relative(SRC, file)} imports ${pkg}`);
      }
    }
  }
  it("imports only flow downstream", () => {
    expect(violations).toEqual([]);
  });
});
