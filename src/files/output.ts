// Every file vfmc writes goes through this module — graphs, manifests, checkpoints, metrics, run records, pictures,
// reports, formatted specs, compile-cache entries. One rule, in one place:
//   - an output never replaces a file the same command reads (inputs.ts), nor a folder, device or pipe;
//   - a file is written under a temporary name in its own folder (`.NAME.PID.RANDOM.tmp`), synced, then renamed over
//     the target, so readers — and the next run after a crash, a full disk or kill -9 — see the old file or the
//     complete new one, never a part; several files that belong together (a model and its manifest) are renamed
//     only once all of them are written (OutputSet);
//   - temporaries left by a process that no longer exists (kill -9, power cut) are removed on the next run;
//   - a failure is a catalogue diagnostic that names the path and says why (disk full, read-only, permissions), not
//     a stack.
// Append-only logs (metrics.jsonl) use OutputLog: the same checks, appends in place, a replaced log staged under a
// temporary name until the run that replaces it has something to show (its first checkpoint).
import { randomBytes } from "node:crypto";
import {
  accessSync,
  appendFileSync,
  constants,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from "node:fs";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DiagnosticError, InternalError, makeDiagnostic } from "../diagnostics/diagnostic.js";
import { fsReason, fsRemedy } from "./fs-errors.js";
import { inputAt } from "./inputs.js";

/** What a file's content is: text, bytes, or a writer that fills an open handle (positioned at 0) in pieces. */
export type Content = string | Uint8Array | ((file: FileHandle) => Promise<void>);

/** Diagnostics a write failure may become: each takes (path, reason, remedy). */
export type WriteFailure = "OutputWriteFailed" | "CheckpointWriteFailed" | "ModelWriteFailed";

export interface OutputOptions {
  /** the diagnostic a failure becomes (default OutputWriteFailed) */
  readonly failure?: WriteFailure;
  /** this write updates a file the command read on purpose (`fmt --write`, a run's own checkpoint on --resume) */
  readonly inPlace?: boolean;
}

/** `.NAME.PID.RANDOM.tmp`: hidden, in the target's folder (a rename never crosses file systems), owner in the name. */
const TEMP = /^\.(.+)\.(\d+)\.([0-9a-f]{8})\.tmp$/;
/** keeps a temporary's name under the usual 255-byte limit whatever the target's */
const MAX_STEM = 200;

export function tempPathFor(path: string): string {
  const base = basename(path).slice(0, MAX_STEM);
  return join(dirname(path), `.${base}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/**
 * Removes the temporaries of this module's pattern in `dir` whose writer is gone (`only`: those of one target
 * name). Best effort: a folder that cannot be listed is left alone. Returns the names removed.
 */
export function cleanStaleTemps(dir: string, only?: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || (only !== undefined && m[1] !== only.slice(0, MAX_STEM)) || alive(Number(m[2]))) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // someone else's file after all, or a read-only folder: leave it
    }
  }
  return removed;
}

function fail(key: WriteFailure, path: string, e: unknown): never {
  if (e instanceof DiagnosticError || e instanceof InternalError) throw e;
  throw new DiagnosticError([makeDiagnostic(key, undefined, [path, fsReason(e), fsRemedy(e)])]);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Throws the diagnostic that writing `path` would deserve before anything is written: it is a folder, a device or
 * a pipe, or a file this command reads. Commands call it up front so a long computation never ends in a refusal.
 */
export function checkOutputPath(path: string, opts: OutputOptions = {}): void {
  const st = statOrUndefined(path);
  if (st?.isDirectory())
    throw new DiagnosticError([
      makeDiagnostic("OutputNotAFile", undefined, [path, "a folder", join(path, "out")]),
    ]);
  if (st && !st.isFile())
    throw new DiagnosticError([
      makeDiagnostic("OutputNotAFile", undefined, [path, "a device, pipe or socket", "out"]),
    ]);
  if (st) {
    // a read-only file stays read-only, though a rename in its folder could replace it
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      fail(opts.failure ?? "OutputWriteFailed", path, e);
    }
  }
  const input = opts.inPlace ? undefined : inputAt(path);
  if (input !== undefined)
    throw new DiagnosticError([
      makeDiagnostic("OutputIsInput", undefined, [path, input === path ? "as an input" : `as ${input}`]),
    ]);
}

async function fillTemp(temp: string, content: Content, mode: number | undefined): Promise<void> {
  const file = await open(temp, "wx", mode);
  try {
    if (typeof content === "function") await content(file);
    else await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** The rename lives in the folder's entry: sync the folder too (best effort: not every platform can). */
async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Writes one file: checked, temp-then-rename, stale temporaries of the same name removed first. */
export async function writeOutput(path: string, content: Content, opts: OutputOptions = {}): Promise<void> {
  const set = new OutputSet();
  try {
    await set.stage(path, content, opts);
    await set.commit();
  } finally {
    await set.discard();
  }
}

/** `writeOutput` for callers that cannot wait (text and bytes only). */
export function writeOutputSync(path: string, content: string | Uint8Array, opts: OutputOptions = {}): void {
  checkOutputPath(path, opts);
  cleanStaleTemps(dirname(path), basename(path));
  const temp = tempPathFor(path);
  const key = opts.failure ?? "OutputWriteFailed";
  try {
    const fd = openSync(temp, "wx", statOrUndefined(path)?.mode);
    try {
      const bytes = typeof content === "string" ? Buffer.from(content) : content;
      for (let done = 0; done < bytes.byteLength;) done += writeSync(fd, bytes, done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    fail(key, path, e);
  }
}

interface Staged {
  readonly temp: string;
  readonly path: string;
  readonly failure: WriteFailure;
}

/**
 * Files that belong together: each is written under its temporary name as it is staged; `commit` renames them
 * into place in staging order (put the file that says "complete" — a manifest, a cache marker — last), `discard`
 * removes whatever was not committed. A failure while staging leaves every target as it was.
 */
export class OutputSet {
  private staged: Staged[] = [];

  /** Writes `content` under a temporary name beside `path`; returns that name. */
  async stage(path: string, content: Content, opts: OutputOptions = {}): Promise<string> {
    return this.stageVia(path, (temp) => fillTemp(temp, content, statOrUndefined(path)?.mode), opts);
  }

  /** Lets `produce` write the temporary file itself (e.g. onnxruntime's optimised-model output). */
  async stageVia(
    path: string,
    produce: (temp: string) => Promise<void>,
    opts: OutputOptions = {},
  ): Promise<string> {
    checkOutputPath(path, opts);
    cleanStaleTemps(dirname(path), basename(path));
    const temp = tempPathFor(path);
    const failure = opts.failure ?? "OutputWriteFailed";
    this.staged.push({ temp, path, failure });
    try {
      await produce(temp);
    } catch (e) {
      fail(failure, path, e);
    }
    return temp;
  }

  async commit(): Promise<void> {
    const dirs = new Set<string>();
    while (this.staged.length > 0) {
      const s = this.staged[0]!;
      try {
        await rename(s.temp, s.path);
      } catch (e) {
        fail(s.failure, s.path, e);
      }
      this.staged.shift();
      dirs.add(dirname(s.path));
    }
    for (const d of dirs) await syncFolder(d);
  }

  async discard(): Promise<void> {
    const left = this.staged;
    this.staged = [];
    await Promise.all(left.map((s) => rm(s.temp, { force: true, recursive: true }).catch(() => undefined)));
  }
}

/**
 * Makes `dir` (and its parents) an output folder and removes the stale temporaries in it. A path that is a file,
 * or a folder that cannot be created, is a diagnostic.
 */
export function prepareOutputFolder(dir: string): void {
  const st = statOrUndefined(dir);
  if (st && !st.isDirectory())
    throw new DiagnosticError([
      makeDiagnostic("OutputFolderUnusable", undefined, [dir, "it is a file", "give a folder path"]),
    ]);
  if (!st) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new DiagnosticError([
        makeDiagnostic("OutputFolderUnusable", undefined, [dir, fsReason(e), fsRemedy(e)]),
      ]);
    }
  }
  cleanStaleTemps(dir);
}

/**
 * An append-only log (one JSON object per line). `replace`: an existing log is kept until `commit` — appends go to
 * a temporary file that `commit` renames over it — so a run that fails before it has anything to show leaves the
 * folder as it found it. `initial` starts the log with that text (a resumed run's kept lines), written atomically.
 */
export class OutputLog {
  private target: string;
  private staged: boolean;

  private constructor(
    readonly path: string,
    staged: boolean,
    private readonly opts: OutputOptions,
  ) {
    this.staged = staged;
    this.target = staged ? tempPathFor(path) : path;
  }

  static open(
    path: string,
    how: { readonly replace: boolean; readonly initial?: string },
    opts: OutputOptions = {},
  ): OutputLog {
    checkOutputPath(path, opts);
    cleanStaleTemps(dirname(path), basename(path));
    const staged = how.replace && statOrUndefined(path) !== undefined;
    const log = new OutputLog(path, staged, opts);
    if (staged) log.write(() => appendFileSync(log.target, how.initial ?? "", { flag: "wx" }));
    else writeOutputSync(path, how.initial ?? "", { ...opts, inPlace: true });
    return log;
  }

  private write(f: () => void): void {
    try {
      f();
    } catch (e) {
      fail(this.opts.failure ?? "OutputWriteFailed", this.path, e);
    }
  }

  append(text: string): void {
    this.write(() => appendFileSync(this.target, text));
  }

  /** true while the log is staged: it will replace an old one at `commit` */
  get pending(): boolean {
    return this.staged;
  }

  /** A staged log replaces the old one now; later appends go to the real file. */
  commit(): void {
    if (!this.staged) return;
    this.write(() => renameSync(this.target, this.path));
    this.target = this.path;
    this.staged = false;
  }

  /** Drops a staged log that was never committed (the old one stays). */
  discard(): void {
    if (this.staged) rmSync(this.target, { force: true });
    this.staged = false;
  }
}
