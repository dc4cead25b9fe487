// Hover over the protocol: documentation from the schema, the value the model resolves to after `extends`, and
// parameter counts and tensor shapes on the backbone and heads.
import { beforeAll, describe, expect, it } from "vitest";
import type { Hover, MarkupContent } from "vscode-languageserver";
import { inProcessServer, positionOf, readRepoFile, type LspClient, uriOf } from "./lsp-client.js";

let client: LspClient;
const hoverText = async (
  uri: string,
  position: { line: number; character: number },
): Promise<string | undefined> => {
  const h = await client.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position });
  return h ? (h.contents as MarkupContent).value : undefined;
};

const franca = uriOf("specs/franca.vfm");
const francaText = readRepoFile("specs/franca.vfm");
const dinov2 = uriOf("specs/dinov2.vfm");
const dinov2Text = readRepoFile("specs/dinov2.vfm");
// A child that changes the depth of a parent it imports, as an unsaved buffer next to the real specs.
const child = uriOf("specs/__lsp_hover__.vfm");
const childText =
  'import "dinov2.vfm"\nmodel shallow extends dinov2_vitb14 {\n  backbone { depth 6 }\n  heads { ibot { separate false } }\n}\n';

beforeAll(async () => {
  client = inProcessServer();
  await client.initialize();
  client.open(franca, francaText);
  client.open(dinov2, dinov2Text);
  client.open(child, childText);
  await client.diagnostics(child, 1);
});

describe("hover", () => {
  it("on a key: its spec path, kind, documentation, the model's value and where it was set, and the default", async () => {
    const at = positionOf(francaText, "drop_path", 2);
    const text = await hoverText(franca, at);
    expect(text).toContain("**backbone.drop_path** · number ≥ 0, ≤ 1");
    expect(text).toContain("stochastic-depth");
    expect(text).toContain(`value in **franca_vitb14**: \`0.1\` (set at line ${at.line + 1})`);
    expect(text).toContain("default: `0.3`");
  });

  it("the hover range is the key's span", async () => {
    const h = await client.request<Hover>("textDocument/hover", {
      textDocument: { uri: franca },
      position: positionOf(francaText, "drop_path", 3),
    });
    const start = positionOf(francaText, "drop_path");
    expect(h.range).toEqual({
      start,
      end: { line: start.line, character: start.character + "drop_path".length },
    });
  });

  it("on an enum value: the allowed values", async () => {
    const text = await hoverText(franca, positionOf(francaText, "ffn swiglu", 5));
    expect(text).toContain("**backbone.ffn**");
    expect(text).toContain("values: `mlp`, `swiglu`");
  });

  it("on a model name: the extends chain and the parameter count of the reference table (ViT-B/14 86.58 M)", async () => {
    const text = await hoverText(dinov2, positionOf(dinov2Text, "model dinov2_vitb14", 8));
    expect(text).toContain("extends dinov2_vitl14");
    expect(text).toMatch(/backbone [\d,]+ \(86\.58 M\)/);
  });

  it("on the backbone: counts and shapes of the resolved model (depth from the child, width from the parent)", async () => {
    const text = await hoverText(child, positionOf(childText, "backbone", 2));
    expect(text).toContain("kind in **shallow**: `vit`");
    // after extends: depth from the child, dim from the parent
    expect(text).toMatch(/resolved: .*`dim 768`.*`depth 6`/);
    expect(text).toContain("| `blocks.i.attn.qkv.weight` ×6 | [2304, 768] |");
    expect(text).toContain("| `patch_embed.proj.weight` | [768, 3, 14, 14] |");
    expect(text).toContain("global crop 224 px → [B, 257, 768]");
    // half the blocks of ViT-B/14 (86.58 M, of which 7.09 M per block): well under the parent's count
    const params = Number(/\*\*parameters\*\* ([\d,]+)/.exec(text ?? "")?.[1]?.replace(/,/g, ""));
    expect(params).toBeGreaterThan(40e6);
    expect(params).toBeLessThan(50e6);
  });

  it("on a head: Matryoshka levels and shapes of the full-width level; a shared iBOT head has none of its own", async () => {
    const dino = await hoverText(franca, positionOf(francaText, "dino {", 1));
    expect(dino).toContain(
      "Matryoshka levels (width: prototypes): 48: 8192, 96: 16384, 192: 32768, 384: 65536, 768: 131072",
    );
    expect(dino).toContain("| `dino_head.last_layers.4.weight_v` | [131072, 384] |");
    const ibot = await hoverText(child, positionOf(childText, "ibot", 1));
    expect(ibot).toContain("iBOT uses the DINO head");
    // written in the child, and a default neither file writes
    expect(ibot).toMatch(/resolved: .*`separate false`.*`gelu_after_bottleneck false`/);
  });

  it("on the MAE decoder and loss: the decoder's parameters and tensors, the key's documentation", async () => {
    const mae = uriOf("examples/mae-tiny.vfm");
    const maeText = readRepoFile("examples/mae-tiny.vfm");
    client.open(mae, maeText);
    const decoder = await hoverText(mae, positionOf(maeText, "decoder {", 2));
    expect(decoder).toContain("**decoder** · section");
    expect(decoder).toMatch(/\*\*parameters\*\* [\d,]+ \(/);
    expect(decoder).toContain("| `decoder_blocks.i.attn.qkv.weight` ×4 | [192, 64] |");
    expect(decoder).toContain("| `mask_token` | [1, 1, 64] |");
    const normPix = await hoverText(mae, positionOf(maeText, "norm_pix", 2));
    expect(normPix).toContain("**losses.mae.norm_pix** · bool");
    expect(normPix).toContain("unbiased");
  });

  it("on extends and import: where they lead", async () => {
    expect(await hoverText(franca, positionOf(francaText, "extends dinov2_vitb14", 9))).toContain(
      "**model dinov2_vitb14** — dinov2.vfm:",
    );
    expect(await hoverText(franca, positionOf(francaText, '"dinov2.vfm"', 2))).toMatch(
      /models: .*dinov2_vitb14/,
    );
  });

  it("nothing on whitespace or comments", async () => {
    expect(await hoverText(franca, { line: 0, character: 3 })).toBeUndefined();
  });
});
