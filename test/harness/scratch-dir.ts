// Test harness: a scratch folder per test file, removed with its contents when the file's tests are done.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A fresh folder under the system temp dir (or under `base`) whose name starts with `prefix`; call it at a test
 * file's top level.
 */
export function scratchDir(prefix: string, base = tmpdir()): string {
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
