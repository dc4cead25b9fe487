// Replace a file so that readers only ever see the old or the complete new content: write a temporary file in the
// same directory (so the rename cannot cross file systems), fsync it, rename it over the target, fsync the
// directory. A crash or an error mid-write leaves the previous file untouched (and the partial temp file removed
// when we get the chance).
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/** Writes `path` atomically; `write` receives an open handle positioned at 0 and may write in as many calls as it likes. */
export async function atomicWrite(path: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const file = await open(temp, "wx");
  let closed = false;
  try {
    await write(file);
    await file.sync();
    await file.close();
    closed = true;
    await rename(temp, path);
  } catch (err) {
    if (!closed) await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

export async function atomicWriteFile(path: string, data: Uint8Array | string): Promise<void> {
  await atomicWrite(path, async (file) => {
    await file.writeFile(data);
  });
}

// The rename itself lives in the directory entry; without this a power cut can still lose it. Some platforms
// (Windows, some network file systems) refuse to open or fsync a directory — then the rename is as durable as it gets.
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
