// Completion over the protocol, at a cursor marked `|` in an unsaved buffer next to the real specs: keys valid in
// the section (and its variant), values of enums and section kinds, names for lists, schedule words, model names
// after `extends`, .vfm files inside an import.
import { beforeAll, describe, expect, it } from "vitest";
import type { CompletionItem } from "vscode-languageserver";
import { inProcessServer, readRepoFile, type LspClient, uriOf } from "./lsp-client.js";

let client: LspClient;
const uri = uriOf("specs/__lsp_completion__.vfm");
let version = 0;

async function complete(marked: string): Promise<CompletionItem[]> {
  const offset = marked.indexOf("|");
  const text = marked.replace("|", "");
  if (version === 0) client.open(uri, text, ++version);
  else client.change(uri, text, ++version);
  const before = text.slice(0, offset);
  const position = {
    line: before.split("\n").length - 1,
    character: before.length - before.lastIndexOf("\n") - 1,
  };
  return client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri }, position });
}
const labels = (items: CompletionItem[]) => items.map((i) => i.label);

beforeAll(async () => {
  client = inProcessServer();
  await client.initialize();
});

describe("completion", () => {
  it("keys of the section at the cursor, in schema order, without those already written", async () => {
    const items = await complete("model a {\n  backbone vit { patch 14, d| }\n}\n");
    expect(labels(items).slice(0, 3)).toEqual(["dim", "depth", "heads"]);
    expect(labels(items)).not.toContain("patch");
    expect(labels(items)).not.toContain("ratio"); // a masking key
    const ffn = items.find((i) => i.label === "ffn");
    expect(ffn?.insertText).toBe("ffn ${1|mlp,swiglu|}");
    expect(ffn?.detail).toBe("enum");
  });

  it("section names in a model body, with their kinds as snippet choices (the default first)", async () => {
    const items = await complete("model a {\n  |\n}\n");
    expect(labels(items)).toEqual([
      "input",
      "backbone",
      "crops",
      "masking",
      "heads",
      "decoder",
      "losses",
      "teacher",
      "optim",
      "train",
      "post",
      "export",
    ]);
    expect(items.find((i) => i.label === "masking")?.insertText).toBe(
      "masking ${1|block,none,cyclic,random|} { $0 }",
    );
  });

  it("the MAE sections: its loss, the random masking's one key, the decoder's keys", async () => {
    expect(labels(await complete("model a {\n  losses { | }\n}\n"))).toEqual([
      "dino",
      "ibot",
      "koleo",
      "mae",
    ]);
    expect(labels(await complete("model a {\n  losses { mae { | } }\n}\n"))).toEqual(["weight", "norm_pix"]);
    expect(labels(await complete("model a {\n  masking random { | }\n}\n"))).toEqual(["ratio"]);
    expect(labels(await complete("model a {\n  decoder { | }\n}\n"))).toEqual([
      "dim",
      "depth",
      "heads",
      "mlp_ratio",
    ]);
    expect(labels(await complete("model a {\n  backbone vit { pos_embed | }\n}\n"))).toEqual([
      "learned",
      "sincos",
    ]);
  });

  it("only the keys a section's variant accepts", async () => {
    expect(labels(await complete("model a {\n  masking cyclic { | }\n}\n"))).toEqual([
      "ratio",
      "images",
      "min_aspect",
    ]);
    expect(labels(await complete("model a {\n  masking block { | }\n}\n"))).toContain("min_patches");
  });

  it("enum values and section kinds after a key", async () => {
    expect(labels(await complete("model a {\n  backbone vit { ffn | }\n}\n"))).toEqual(["mlp", "swiglu"]);
    expect(labels(await complete("model a {\n  masking |\n}\n"))).toEqual([
      "none",
      "block",
      "cyclic",
      "random",
    ]);
    expect(labels(await complete("model a {\n  heads { dino { l2norm | } }\n}\n"))).toEqual([
      "true",
      "false",
    ]);
  });

  it("names for a list of names, leaving out those listed", async () => {
    expect(labels(await complete("model a {\n  export { outputs [cls, |] }\n}\n"))).toEqual([
      "patch_tokens",
      "registers",
      "patch_tokens_rasa",
    ]);
  });

  it("schedule shapes, then `over`/`warmup`, then units", async () => {
    expect(labels(await complete("model a {\n  teacher { momentum | }\n}\n"))).toEqual([
      "cosine",
      "linear",
      "constant",
    ]);
    expect(labels(await complete("model a {\n  teacher { momentum cosine 0.99 -> 1.0 | }\n}\n"))).toEqual([
      "over",
      "warmup",
    ]);
    expect(
      labels(await complete("model a {\n  teacher { momentum cosine 0.99 -> 1.0 over 30 | }\n}\n")),
    ).toEqual(["epochs", "steps"]);
  });

  it("model names after extends: the models the imports bring in", async () => {
    const names = labels(await complete('import "dinov2.vfm"\nmodel a extends |'));
    expect(names).toEqual(
      expect.arrayContaining(["dinov2_vits14", "dinov2_vitb14", "dinov2_vitl14", "dinov2_vitg14"]),
    );
    expect(names).not.toContain("a");
  });

  it(".vfm files and folders inside an import, relative to the file", async () => {
    const names = labels(await complete('import "|"\n'));
    expect(names).toEqual(expect.arrayContaining(["dinov2.vfm", "franca.vfm"]));
    expect(labels(await complete('import "../exam|"\n'))).toContain("examples/");
  });

  it("keywords at the top level", async () => {
    expect(labels(await complete("|"))).toEqual(["model", "import"]);
  });
});

describe("robustness", () => {
  it("answers hover, completion, symbols and definition at every cut of a real spec without a failure", async () => {
    const full = readRepoFile("specs/franca.vfm");
    const errors: unknown[] = [];
    const watch = async (): Promise<void> => {
      for (;;) errors.push(await client.waitFor<{ type: number }>("window/logMessage", (m) => m.type === 1));
    };
    void watch();
    const cuts = uriOf("specs/__lsp_cuts__.vfm");
    client.open(cuts, "", 0);
    for (let cut = 0, v = 1; cut <= full.length; cut += Math.ceil(full.length / 40), v++) {
      const text = full.slice(0, cut);
      client.change(cuts, text, v);
      const lines = text.split("\n");
      const position = { line: lines.length - 1, character: lines[lines.length - 1]!.length };
      const doc = { textDocument: { uri: cuts }, position };
      expect(await client.request("textDocument/completion", doc)).toBeInstanceOf(Array);
      await client.request("textDocument/hover", doc);
      await client.request("textDocument/definition", doc);
      expect(
        await client.request("textDocument/documentSymbol", { textDocument: { uri: cuts } }),
      ).toBeInstanceOf(Array);
    }
    await client.request("textDocument/documentSymbol", { textDocument: { uri: cuts } }); // flushes pending log messages
    expect(errors).toEqual([]);
  });
});
