// `vfmc run --train --init CKPT [--resolution R]` (high-resolution adaptation, docs/weights.md section 5), the CLI side:
// the checkpoint is checked against the model before anything is compiled, and its content hash becomes part of
// the run's identity, so --resume only continues a run that started from the same weights.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DiagnosticBag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { modelHeadSpecs } from "../lower/objectives/index.js";
import type { ModelIR } from "../ir/model.js";
import { hrftInit } from "../lower/hrft.js";
import { readSafetensors } from "../runtime/checkpoint/safetensors.js";
import { printDiagnostics, type Io } from "./io.js";

async function fileSha256(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/**
 * --init: checks before compiling that the checkpoint's backbone fits `ir` (errors VFM4001/4002; the pos_embed
 * resize is a VFM4013 note) and fingerprints the file for the run identity. The loop reads it again for the values:
 * the job only carries the path, as it is posted to a worker thread.
 */
export async function checkInit(
  ir: ModelIR,
  file: string,
  io: Io,
): Promise<{ file: string; sha256: string }> {
  const bag = new DiagnosticBag();
  hrftInit(ir, (await readSafetensors(file)).tensors, file, bag);
  if (bag.items.length > 0) printDiagnostics(io, bag.items, false); // stderr: --json's stdout is the summary
  return { file, sha256: await fileSha256(file) };
}

/** Which heads a --weights checkpoint brings, in words: "heads start fresh", "dino_head from the checkpoint" … */
function headsText(ir: ModelIR, loaded: readonly string[]): string {
  const specs = modelHeadSpecs(ir);
  const heads = [...new Set(specs.map((s) => s.name.split(".")[0]!))];
  if (heads.length === 0) return "the model has no heads";
  const from = heads.filter((h) => loaded.some((n) => n.startsWith(`${h}.`)));
  const partial = from.filter((h) =>
    specs.some((s) => s.name.startsWith(`${h}.`) && !loaded.includes(s.name)),
  );
  if (from.length === 0) return "heads start fresh (the checkpoint has none that fit)";
  const fresh = heads.filter((h) => !from.includes(h));
  return (
    `${from.join(" and ")} from the checkpoint` +
    (partial.length ? ` (partly: ${partial.join(", ")} tensors of other shapes start fresh)` : "") +
    (fresh.length ? `, ${fresh.join(" and ")} fresh` : "")
  );
}

/**
 * --weights (continued pretraining): the checkpoint's backbone must fit `ir` (VFM4001/4002); heads it holds with
 * the model's shapes are used; the note says which. Fingerprinted for the run identity, as --init is.
 */
export async function checkWeights(
  ir: ModelIR,
  file: string,
  io: Io,
): Promise<{ file: string; sha256: string }> {
  const bag = new DiagnosticBag();
  const init = hrftInit(ir, (await readSafetensors(file)).tensors, file, bag, { heads: "checkpoint" });
  if (!bag.hasErrors) {
    const resized =
      init.sourceGrid !== init.targetGrid
        ? ` (pos_embed ${init.sourceGrid}×${init.sourceGrid} resized to ${init.targetGrid}×${init.targetGrid})`
        : "";
    bag.report("ContinueFromWeights", undefined, [file, resized, headsText(ir, init.loaded)]);
  }
  printDiagnostics(io, bag.items, false);
  if (bag.hasErrors) throw new DiagnosticError(bag.items.filter((d) => d.severity === "error"));
  return { file, sha256: await fileSha256(file) };
}

/** The --init file (path, content hash) the run in a folder started from, as its run.json says; for --resume. */
export function startedFrom(out: string): { file: string; sha256: string } | undefined {
  const path = join(out, "run.json");
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, "utf8")) as { init?: unknown; initSha256?: unknown };
    return typeof r.initSha256 === "string" ? { file: String(r.init), sha256: r.initSha256 } : undefined;
  } catch {
    return undefined;
  }
}
