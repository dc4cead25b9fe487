// A folder of images (`--data DIR`), read like torchvision's ImageFolder: the images under each top-level sub-folder
// (searched recursively) are one class, classes numbered in sorted name order, files in sorted path order. A folder
// with images only at its top level is unlabelled (training only). A folder with `train/` and `val/`, `validation/`
// or `test/` sub-folders is a split dataset: training images from the first, held-out images from the second, with
// the training split's class numbers. Names starting with "." (.DS_Store, macOS's ._x.jpg) are skipped.
// Sorting is by UTF-16 code units, which for these names is Python's sorted() order.
import { readdirSync, statSync, type Dirent } from "node:fs";
import { extname, join, relative, resolve } from "node:path";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { IMAGE_EXTENSIONS, readImageBytes } from "../image/decode.js";
import { UNLABELLED, type DataSource, type Dataset } from "./dataset.js";
import { encodedDataset } from "./file-dataset.js";

const HELD_OUT = ["val", "validation", "test"] as const;

export interface FolderListing {
  readonly root: string;
  /** paths relative to root */
  readonly files: readonly string[];
  readonly labels: Int32Array;
  /** undefined for a flat (unlabelled) folder */
  readonly classNames?: readonly string[];
  /** images at the top level of a labelled folder (ImageFolder ignores them too) */
  readonly looseImages: number;
}

const isImage = (name: string): boolean => IMAGE_EXTENSIONS.has(extname(name).slice(1).toLowerCase());

function entries(dir: string): Dirent[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Is this entry a folder to walk into (following symbolic links to folders, as ImageFolder does)? */
function isFolder(dir: string, e: Dirent): boolean {
  if (e.isDirectory()) return true;
  if (!e.isSymbolicLink()) return false;
  try {
    return statSync(join(dir, e.name)).isDirectory();
  } catch {
    return false; // a dangling link: kept as a file if its name is an image's, and reported when read
  }
}

/** Image files under `dir`, recursively, as paths relative to `root`; `seen` guards against link loops. */
function imagesUnder(root: string, dir: string, out: string[], seen: Set<string>): void {
  let id: string;
  try {
    const st = statSync(dir);
    id = `${st.dev}:${st.ino}`;
  } catch {
    return;
  }
  if (seen.has(id)) return;
  seen.add(id);
  for (const e of entries(dir)) {
    const path = join(dir, e.name);
    if (isFolder(dir, e)) imagesUnder(root, path, out, seen);
    else if (isImage(e.name)) out.push(relative(root, path));
  }
}

function empty(root: string, why = ""): never {
  throw new DiagnosticError([makeDiagnostic("DataFolderEmpty", undefined, [root, why])]);
}

/** The images of one folder: ImageFolder classes when it has sub-folders with images, else flat. */
export function listImageFolder(root: string): FolderListing {
  const top = entries(root);
  const classNames: string[] = [];
  const files: string[] = [];
  const labels: number[] = [];
  let loose = 0;
  const seen = new Set<string>();
  for (const e of top) {
    if (isFolder(root, e)) {
      const inClass: string[] = [];
      imagesUnder(root, join(root, e.name), inClass, seen);
      if (inClass.length === 0) continue; // ImageFolder would refuse an empty class; a label nobody has is harmless to skip
      for (const f of inClass) {
        files.push(f);
        labels.push(classNames.length);
      }
      classNames.push(e.name);
    } else if (isImage(e.name)) loose++;
  }
  if (classNames.length > 0)
    return { root, files, labels: Int32Array.from(labels), classNames, looseImages: loose };
  const flat = top.filter((e) => !isFolder(root, e) && isImage(e.name)).map((e) => e.name);
  if (flat.length === 0) empty(root, " (searched recursively)");
  return { root, files: flat, labels: new Int32Array(flat.length).fill(UNLABELLED), looseImages: 0 };
}

/** A listing's labels renumbered to `classNames` (a held-out split numbered like its training split). */
function relabelled(listing: FolderListing, classNames: readonly string[], trainRoot: string): FolderListing {
  if (!listing.classNames) return listing;
  const index = new Map(classNames.map((c, i) => [c, i]));
  const unknown = listing.classNames.filter((c) => !index.has(c));
  if (unknown.length > 0) {
    const shown =
      unknown.slice(0, 5).join(", ") + (unknown.length > 5 ? `, … (${unknown.length} in all)` : "");
    throw new DiagnosticError([
      makeDiagnostic("DataSplitClasses", undefined, [listing.root, trainRoot, shown]),
    ]);
  }
  const map = listing.classNames.map((c) => index.get(c)!);
  return { ...listing, labels: listing.labels.map((l) => map[l]!), classNames };
}

export function folderDataset(listing: FolderListing, name: string): Dataset {
  const { root, files, labels, classNames } = listing;
  const describe = (i: number): string => join(root, files[i]!);
  return encodedDataset({
    name,
    size: files.length,
    numClasses: classNames?.length ?? 0,
    ...(classNames ? { classNames } : {}),
    sortedByClass: classNames !== undefined,
    label: (i) => labels[i]!,
    describe,
    read: (i) => readImageBytes(describe(i)),
  });
}

/** `train/` + `val/`|`validation/`|`test/` when the folder has them; the folder itself otherwise. */
export function splitFolders(dir: string): { train: string; test?: string } {
  const subs = new Set(
    entries(dir)
      .filter((e) => isFolder(dir, e))
      .map((e) => e.name),
  );
  const held = HELD_OUT.find((h) => subs.has(h));
  return subs.has("train") && held ? { train: join(dir, "train"), test: join(dir, held) } : { train: dir };
}

/** `--data DIR`: its training split and, for a train/ + val/ layout, its held-out split; with the listings read. */
export function openFolderSource(path: string): DataSource & { listings: FolderListing[] } {
  const dir = resolve(path);
  const split = splitFolders(dir);
  const train = listImageFolder(split.train);
  const name = path.replace(/\/+$/, "") || path;
  let listings = [train];
  let source: DataSource = { train: folderDataset(train, name) };
  if (split.test) {
    let test = listImageFolder(split.test);
    if (train.classNames) test = relabelled(test, train.classNames, split.train);
    listings = [train, test];
    source = {
      train: folderDataset(train, join(name, "train")),
      test: folderDataset(test, join(name, relative(dir, split.test))),
    };
  }
  const warnings = listings
    .filter((l) => l.looseImages > 0)
    .map((l) => makeDiagnostic("DataLooseImages", undefined, [l.root, l.looseImages]));
  return { ...source, listings, ...(warnings.length > 0 ? { warnings } : {}) };
}
