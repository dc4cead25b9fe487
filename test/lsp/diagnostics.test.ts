// Diagnostics over the protocol: initialize → didOpen a broken spec → publishDiagnostics carries the checker's
// codes and exact ranges; an edit that fixes it publishes an empty list; problems in an imported file show on the import.
import { beforeAll, describe, expect, it } from "vitest";
import { DiagnosticSeverity } from "vscode-languageserver";
import { inProcessServer, positionOf, type LspClient, uriOf } from "./lsp-client.js";

// Buffers that exist only in the editor: the server must read them from the client, not from disk.
const broken = uriOf("specs/__lsp_broken__.vfm");
const brokenText = `model tiny {
  input { size 224 }
  backbone vit { patch 14, dimm 192, depth 2, heads 3 }
  crops { local { size 98 } }
}
`;

let client: LspClient;
beforeAll(async () => {
  client = inProcessServer();
  await client.initialize();
});

describe("diagnostics", () => {
  it("publishes the checker's code, range, source and fix data for a misspelt key", async () => {
    client.open(broken, brokenText, 1);
    const ds = await client.diagnostics(broken, 1);
    const unknown = ds.find((d) => d.code === "VFM2101");
    expect(unknown).toBeDefined();
    const start = positionOf(brokenText, "dimm");
    expect(unknown!.range).toEqual({ start, end: { line: start.line, character: start.character + 4 } });
    expect(unknown!.source).toBe("vfmc");
    expect(unknown!.severity).toBe(DiagnosticSeverity.Error);
    expect(unknown!.message).toContain("unknown key 'dimm' in backbone");
    expect(unknown!.data).toMatchObject({ key: "UnknownKey", suggestion: "dim" });
  });

  it("republishes after an edit: fixing the key clears it", async () => {
    const fixed = brokenText.replace("dimm", "dim");
    client.change(broken, fixed, 2);
    const ds = await client.diagnostics(broken, 2);
    expect(ds.map((d) => d.code)).toEqual([]);
  });

  it("shows the training-dynamics warnings of `vfmc check` (a head that starts on its Σ log K plateau)", async () => {
    const uri = uriOf("specs/__lsp_plateau__.vfm");
    const text = `model m {
  input { size 32 }
  backbone vit { patch 4, dim 64, depth 2, heads 4 }
  crops { global { size 32 }, local { count 2, size 16 } }
  masking none
  heads { dino { nested 2, hidden 256, bottleneck 64, prototypes 256, l2norm false, gelu_after_bottleneck true } }
  losses { dino { targets sinkhorn, teacher_temp 0.04 -> 0.07 over 1 epochs }, ibot { weight 0 }, koleo { weight 0.1 } }
  optim { lr cosine 1e-3 -> 1e-6 warmup 50 steps, lr_scaling none, freeze_last_layer 0 }
  train { batch 16, epochs 4, epoch_length 50 }
}
`;
    client.open(uri, text, 1);
    const ds = await client.diagnostics(uri, 1);
    const plateau = ds.find((d) => d.code === "VFM3701");
    expect(plateau?.severity).toBe(DiagnosticSeverity.Warning);
    expect(plateau?.range.start).toEqual(positionOf(text, "false"));
    expect(plateau?.message).toContain("the dino loss will start on its uniform value 10.4");
    expect(ds.map((d) => d.code).sort()).toEqual(["VFM3701", "VFM3705"]);
  });

  it("reports a syntax error at the offending token", async () => {
    const uri = uriOf("specs/__lsp_syntax__.vfm");
    const text = "model m {\n  backbone vit { patch 14 dim 192 = }\n}\n";
    client.open(uri, text, 1);
    const ds = await client.diagnostics(uri, 1);
    const stray = ds.find((d) => d.code === "VFM1013");
    expect(stray?.range).toEqual({ start: positionOf(text, "="), end: positionOf(text, "=", 1) });
    expect(
      ds.every((d) => d.source === "vfmc" && typeof d.code === "string" && /^VFM\d{4}$/.test(String(d.code))),
    ).toBe(true);
  });

  it("summarises problems of an imported buffer on the import line, with related locations", async () => {
    const parent = uriOf("specs/__lsp_parent__.vfm");
    const child = uriOf("specs/__lsp_child__.vfm");
    const parentText =
      "model base {\n  backbone vit { patch 14, dim 192, depth 2, heads 3, ffn swiglo }\n}\n";
    const childText = 'import "__lsp_parent__.vfm"\nmodel kid extends base {\n  backbone { depth 4 }\n}\n';
    client.open(parent, parentText, 1);
    await client.diagnostics(parent, 1);
    client.open(child, childText, 1);
    const ds = await client.diagnostics(child, 1);
    const summary = ds.find((d) => d.range.start.line === 0);
    expect(summary?.message).toMatch(/__lsp_parent__\.vfm: 1 error.*VFM2104/);
    expect(summary?.relatedInformation?.[0]?.location.uri).toBe(parent);
    expect(summary?.relatedInformation?.[0]?.location.range.start).toEqual(positionOf(parentText, "swiglo"));
  });

  it("an unknown parent model gets a diagnostic on its name", async () => {
    const uri = uriOf("specs/__lsp_orphan__.vfm");
    const text = "model kid extends nobody {\n}\n";
    client.open(uri, text, 1);
    const ds = await client.diagnostics(uri, 1);
    expect(ds.find((d) => d.code === "VFM2003")?.range.start).toEqual(positionOf(text, "nobody"));
  });
});
