// The run folder's list of images the run could not use (`skipped-files.txt`: `path<TAB>reason` lines in the order
// they were met), kept in step with what the warnings said: each new file is added once, however many workers and
// epochs meet it, and the list is rewritten whole through the output helper (temp file, then rename), so a reader
// never sees half a line.
// A resumed run starts from the list its earlier part wrote.
import { existsSync, readFileSync } from "node:fs";
import { writeOutput } from "../../files/output.js";
import type { SkippedImage } from "../data/dataset.js";

export class SkippedFiles {
  private readonly seen = new Map<string, string>();

  constructor(
    readonly path: string,
    resume: boolean,
  ) {
    if (!resume || !existsSync(path)) return;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const tab = line.indexOf("\t");
      if (tab > 0) this.seen.set(line.slice(0, tab), line.slice(tab + 1));
    }
  }

  get count(): number {
    return this.seen.size;
  }

  /** Records `images`; returns those not seen before (the list file is rewritten when there are any). */
  async add(images: readonly SkippedImage[]): Promise<SkippedImage[]> {
    const fresh = images.filter((s) => !this.seen.has(s.source) && this.seen.set(s.source, s.reason));
    if (fresh.length > 0)
      await writeOutput(
        this.path,
        [...this.seen].map(([source, reason]) => `${source}\t${reason.replace(/\s+/g, " ")}\n`).join(""),
        { inPlace: true }, // rewritten by this run as it grows
      );
    return fresh;
  }
}
