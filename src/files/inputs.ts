// The files this process reads, so that the output helper (output.ts) can refuse to write over any of them: a
// command's outputs never replace its inputs (`vfmc rasa … --weights ck.safetensors -o ck.safetensors` is an error,
// not a lost checkpoint). Readers call noteInput when they open a file; a file is the same file when its device and
// inode match (hard links, symbolic links and `./a` vs `a` included) or, failing a stat, when its real path does.
import { readFileSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { DiagnosticError, makeDiagnostic } from "../diagnostics/diagnostic.js";

interface Noted {
  readonly path: string;
  readonly real: string;
  readonly id?: string;
}

const inputs: Noted[] = [];

function idOf(path: string): string | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? `${s.dev}:${s.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function realOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Records that this process reads `path` (call it where the file is opened; repeats are harmless). */
export function noteInput(path: string): void {
  const real = realOf(path);
  if (inputs.some((n) => n.real === real)) return;
  const id = idOf(path);
  inputs.push({ path, real, ...(id ? { id } : {}) });
}

/** The input `path` would overwrite, as the user named it; undefined when it is no input of this process. */
export function inputAt(path: string): string | undefined {
  const real = realOf(path);
  const id = idOf(path);
  return inputs.find((n) => n.real === real || (id !== undefined && n.id === id))?.path;
}

/** Forgets every noted input: each CLI command starts with none (tests run many commands in one process). */
export function clearInputs(): void {
  inputs.length = 0;
}

/**
 * Reads a whole input file — a regular file only: a folder, a device (`/dev/zero` never ends) or a pipe is the
 * InputNotAFile diagnostic, `kind` naming what was expected ("PNG image"). Read errors are thrown as they come
 * (each reader turns them into its own diagnostic); the file is noted as an input.
 */
export function readInputFile(path: string, kind: string): Buffer {
  const st = statSync(path);
  if (!st.isFile())
    throw new DiagnosticError([
      makeDiagnostic("InputNotAFile", undefined, [
        path,
        st.isDirectory() ? "it is a folder" : "it is a device, pipe or socket",
        kind,
      ]),
    ]);
  const bytes = readFileSync(path);
  noteInput(path);
  return bytes;
}
