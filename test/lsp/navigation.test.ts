// Definition, outline, formatting and quick fixes over the protocol.
import { beforeAll, describe, expect, it } from "vitest";
import type { CodeAction, Diagnostic, DocumentSymbol, Location, TextEdit } from "vscode-languageserver";
import { formatVfm } from "../../src/lang/format/format.js";
import { inProcessServer, positionOf, readRepoFile, type LspClient, uriOf } from "./lsp-client.js";

let client: LspClient;
const franca = uriOf("specs/franca.vfm");
const francaText = readRepoFile("specs/franca.vfm");
const dinov2 = uriOf("specs/dinov2.vfm");
const dinov2Text = readRepoFile("specs/dinov2.vfm");

beforeAll(async () => {
  client = inProcessServer();
  await client.initialize();
  client.open(franca, francaText);
  await client.diagnostics(franca, 1);
});

const definition = (uri: string, position: { line: number; character: number }) =>
  client.request<Location | null>("textDocument/definition", { textDocument: { uri }, position });

/** Applies edits to a text (non-overlapping, any order). */
function apply(text: string, edits: readonly TextEdit[]): string {
  const offset = (p: { line: number; character: number }) =>
    text.split("\n").slice(0, p.line).join("\n").length + (p.line > 0 ? 1 : 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  return sorted.reduce(
    (t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)),
    text,
  );
}

describe("go to definition", () => {
  it("extends → the parent model's name in the imported file", async () => {
    const loc = await definition(franca, positionOf(francaText, "extends dinov2_vitb14", 10));
    const start = positionOf(dinov2Text, "model dinov2_vitb14", 6);
    expect(loc).toEqual({
      uri: dinov2,
      range: { start, end: { line: start.line, character: start.character + "dinov2_vitb14".length } },
    });
  });

  it("import → the imported file", async () => {
    const loc = await definition(franca, positionOf(francaText, '"dinov2.vfm"', 3));
    expect(loc?.uri).toBe(dinov2);
  });

  it("an overriding key → where the parent chain sets it", async () => {
    // franca_vitb14 overrides drop_path; dinov2_vitb14 inherits it from dinov2_vitl14
    const loc = await definition(franca, positionOf(francaText, "drop_path", 1));
    expect(loc?.uri).toBe(dinov2);
    expect(loc?.range.start).toEqual(positionOf(dinov2Text, "drop_path"));
  });
});

describe("document symbols", () => {
  it("models with their sections and keys, values as details", async () => {
    const symbols = await client.request<DocumentSymbol[]>("textDocument/documentSymbol", {
      textDocument: { uri: franca },
    });
    expect(symbols[0]).toMatchObject({ name: "dinov2.vfm", detail: "import" });
    const model = symbols.find((s) => s.name === "franca_vitb14");
    expect(model?.detail).toBe("extends dinov2_vitb14");
    const backbone = model?.children?.find((s) => s.name === "backbone");
    expect(backbone?.children?.find((s) => s.name === "ffn")?.detail).toBe("swiglu");
    expect(symbols.map((s) => s.name)).toEqual(expect.arrayContaining(["franca_vitl14", "franca_vitg14"]));
  });
});

describe("formatting", () => {
  it("edits the buffer into what `vfmc fmt` prints, and leaves formatted text alone", async () => {
    const uri = uriOf("specs/__lsp_format__.vfm");
    const messy = "model   m {\n backbone vit {patch 14,dim 192,   depth 2 , heads 3}\n}";
    client.open(uri, messy, 1);
    const edits = await client.request<TextEdit[]>("textDocument/formatting", {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    const formatted = apply(messy, edits);
    expect(formatted).toBe(await formatVfm(messy, "m.vfm"));
    expect(formatted).not.toBe(messy);
    client.change(uri, formatted, 2);
    expect(
      await client.request<TextEdit[]>("textDocument/formatting", {
        textDocument: { uri },
        options: { tabSize: 2, insertSpaces: true },
      }),
    ).toEqual([]);
  });

  it("leaves a buffer with syntax errors alone", async () => {
    const uri = uriOf("specs/__lsp_format_broken__.vfm");
    client.open(uri, "model m { backbone vit { patch 14 = } ", 1);
    expect(
      await client.request<TextEdit[]>("textDocument/formatting", {
        textDocument: { uri },
        options: { tabSize: 2, insertSpaces: true },
      }),
    ).toEqual([]);
  });
});

describe("quick fixes", () => {
  const fixesFor = async (name: string, text: string, code: string) => {
    const uri = uriOf(`specs/__lsp_fix_${name}__.vfm`);
    client.open(uri, text, 1);
    const diagnostics = (await client.diagnostics(uri, 1)).filter((d: Diagnostic) => d.code === code);
    expect(diagnostics).toHaveLength(1);
    const actions = await client.request<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: diagnostics[0]!.range,
      context: { diagnostics },
    });
    return { actions, edited: (a: CodeAction) => apply(text, a.edit?.changes?.[uri] ?? []) };
  };

  it("a misspelt key → the nearest valid key", async () => {
    const text = "model m {\n  backbone vit { patch 14, dimm 192, depth 2, heads 3 }\n}\n";
    const { actions, edited } = await fixesFor("key", text, "VFM2101");
    expect(actions.map((a) => a.title)).toEqual(["Change 'dimm' to 'dim'"]);
    expect(edited(actions[0]!)).toBe(text.replace("dimm", "dim"));
  });

  it("a misspelt enum value → the nearest allowed value", async () => {
    const text = "model m {\n  backbone vit { patch 14, dim 192, depth 2, heads 3, ffn swiglo }\n}\n";
    const { actions, edited } = await fixesFor("enum", text, "VFM2104");
    expect(edited(actions[0]!)).toBe(text.replace("swiglo", "swiglu"));
  });

  it("a misspelt parent → the nearest model in scope", async () => {
    const text = 'import "dinov2.vfm"\nmodel m extends dinov2_vitb41 {\n}\n';
    const { actions, edited } = await fixesFor("parent", text, "VFM2003");
    expect(edited(actions[0]!)).toBe(text.replace("dinov2_vitb41", "dinov2_vitb14"));
  });

  it("a key set twice → remove the second, with its line", async () => {
    const text = "model m {\n  train {\n    batch 8\n    batch 16\n  }\n}\n";
    const { actions, edited } = await fixesFor("duplicate", text, "VFM2102");
    expect(edited(actions[0]!)).toBe("model m {\n  train {\n    batch 8\n  }\n}\n");
  });
});
