// Test harness: validate a model with the official ONNX checker (the equivalent of `check_model(path, full_check=True)`,
// which also runs strict shape inference). It runs under Debian's /usr/bin/python3 because that is where apt's
// python3-onnx lives; the pyenv python3 first on PATH has no onnx.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { OnnxModel } from "../../src/onnx/model.js";
import { encodeModel } from "../../src/onnx/serialize.js";

export interface CheckResult {
  ok: boolean;
  /** Set when the checker could not run here; `ok` is then true so the caller can `skip`. */
  skipped?: string;
  message?: string;
}

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./onnx_check.py", import.meta.url));

/** Checks a model file (external data is read beside it) or an in-memory model (written to a temp file). */
export function checkOnnx(model: string | OnnxModel): CheckResult {
  if (typeof model !== "string") {
    const dir = mkdtempSync(join(tmpdir(), "vfmc-check-"));
    try {
      const path = join(dir, "model.onnx");
      writeFileSync(path, encodeModel(model));
      return checkOnnx(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!existsSync(PYTHON)) return unavailable(`${PYTHON} not found`);
  const r = spawnSync(PYTHON, [SCRIPT, model], { encoding: "utf8", timeout: 120_000 });
  const text = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (r.error) return unavailable(`${PYTHON} failed to start: ${r.error.message}`);
  if (r.status === 0) return { ok: true, message: text };
  if (r.status === 3) return unavailable(text);
  return { ok: false, message: text || `checker exited with status ${r.status}` };
}

/** Asserts the checker accepts the model, or skips the running test (outside CI) when the checker is absent. */
export function expectValidOnnx(model: string | OnnxModel, ctx: { skip(note?: string): void }): void {
  const r = checkOnnx(model);
  if (r.skipped) ctx.skip(r.skipped);
  expect(r.ok, r.message).toBe(true);
}

// CI installs python3-onnx (.ci/run), so there a missing checker is a failure, never a silent skip.
function unavailable(why: string): CheckResult {
  if (process.env["CI"]) return { ok: false, message: `ONNX checker required in CI but unavailable: ${why}` };
  return { ok: true, skipped: `ONNX checker unavailable: ${why}` };
}
