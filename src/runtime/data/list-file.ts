// `--data list:FILE`: a text or CSV file of images, one per line — `path` or `path,label` (a tab works as well as a
// comma; fields may be double-quoted, "" inside quotes is a quote). Paths are relative to the list file's folder.
// Labels are class numbers when every label is a whole number, else class names numbered in sorted order (as
// folders are). Blank lines and lines starting with # are skipped, and so is a header line such as `path,label`.
// Every line is checked before training: a path that does not exist is a diagnostic at its line and column.
import { statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { DiagnosticBag, DiagnosticError, makeDiagnostic, type Span } from "../../diagnostics/diagnostic.js";
import { fsReason } from "../../files/fs-errors.js";
import { readInputFile } from "../../files/inputs.js";
import { readImageBytes } from "../image/decode.js";
import { UNLABELLED, type DataSource } from "./dataset.js";
import { encodedDataset } from "./file-dataset.js";

const HEADER_FIRST = /^(path|file|filename|file_name|image|img|filepath)$/i;
const MAX_REPORTED = 20;

export interface ListEntry {
  readonly path: string;
  readonly label?: string;
  readonly line: number;
  /** where the path field starts on its line (0-based) and ends */
  readonly from: number;
  readonly to: number;
  readonly offset: number;
}

interface Field {
  readonly text: string;
  readonly from: number;
  readonly to: number;
}

/** Splits one line at `sep`, honouring double quotes; undefined when a quote is left open. */
function splitFields(line: string, sep: string): Field[] | undefined {
  const fields: Field[] = [];
  let i = 0;
  while (i <= line.length) {
    const from = i;
    let text = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += line[i++];
      }
      while (i < line.length && line[i] !== sep) i++;
    } else {
      const end = line.indexOf(sep, i);
      const stop = end < 0 ? line.length : end;
      text = line.slice(i, stop);
      i = stop;
    }
    const lead = text.length - text.trimStart().length;
    fields.push({ text: text.trim(), from: line[from] === '"' ? from : from + lead, to: i });
    i++; // past the separator (or past the end)
  }
  return fields;
}

function spanOf(file: string, e: { line: number; from: number; to: number; offset: number }): Span {
  return {
    file,
    start: { offset: e.offset + e.from, line: e.line, col: e.from + 1 },
    end: { offset: e.offset + e.to, line: e.line, col: e.to + 1 },
  };
}

/** The entries of a list file's text; syntax problems are diagnostics with the line's position. */
export function parseListFile(text: string, file: string): ListEntry[] {
  const bag = new DiagnosticBag();
  const out: ListEntry[] = [];
  let offset = 0;
  let first = true;
  const lines = text.split("\n");
  lines.forEach((raw, k) => {
    const lineOffset = offset;
    offset += raw.length + 1;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const at = { line: k + 1, offset: lineOffset };
    const fields = splitFields(line, line.includes("\t") ? "\t" : ",");
    if (!fields) {
      bag.report("DataListSyntax", spanOf(file, { ...at, from: 0, to: line.length }), [
        "a quote is never closed",
      ]);
      return;
    }
    const isHeader = first && HEADER_FIRST.test(fields[0]!.text);
    first = false;
    if (isHeader) return;
    const [path, label, ...rest] = fields;
    if (path!.text === "") {
      bag.report("DataListSyntax", spanOf(file, { ...at, from: 0, to: Math.max(1, line.length) }), [
        "the line has no path",
      ]);
      return;
    }
    if (rest.length > 0)
      bag.report("DataListSyntax", spanOf(file, { ...at, from: rest[0]!.from, to: line.length }), [
        `${fields.length} fields; a line holds path or path,label`,
      ]);
    out.push({
      path: path!.text,
      ...(label && label.text !== "" ? { label: label.text } : {}),
      ...at,
      from: path!.from,
      to: path!.to,
    });
  });
  const labelled = out.filter((e) => e.label !== undefined).length;
  if (labelled > 0 && labelled < out.length) {
    const odd = out.find((e) => (e.label === undefined) === labelled > out.length / 2)!;
    bag.report("DataListSyntax", spanOf(file, odd), [
      `${labelled} of ${out.length} lines have a label: give every line a label, or none`,
    ]);
  }
  if (bag.hasErrors) throw new DiagnosticError(bag.items.slice(0, MAX_REPORTED));
  return out;
}

/** Class numbers for the labels: the numbers themselves when all are whole numbers ≥ 0, else sorted names. */
export function numberLabels(labels: readonly string[]): { labels: Int32Array; classNames?: string[] } {
  if (labels.every((l) => /^\d+$/.test(l))) return { labels: Int32Array.from(labels, Number) };
  const classNames = [...new Set(labels)].sort();
  const index = new Map(classNames.map((c, i) => [c, i]));
  return { labels: Int32Array.from(labels, (l) => index.get(l)!), classNames };
}

/** `list:FILE`; `verify` checks every path exists (the CLI does, before training; workers skip it). */
export function openListSource(file: string, verify = true): DataSource {
  let text: string;
  try {
    text = readInputFile(file, "list file").toString("utf8");
  } catch (e) {
    if (e instanceof DiagnosticError) throw e;
    throw new DiagnosticError([makeDiagnostic("DataSpecInvalid", undefined, [`list:${file}`, fsReason(e)])]);
  }
  const entries = parseListFile(text, file);
  if (entries.length === 0) throw new DiagnosticError([makeDiagnostic("DataListEmpty", undefined, [file])]);
  const base = resolve(dirname(file));
  const paths = entries.map((e) => (isAbsolute(e.path) ? e.path : join(base, e.path)));
  if (verify) {
    const bag = new DiagnosticBag();
    let missing = 0;
    entries.forEach((e, i) => {
      let why: "missing" | "folder" | undefined;
      try {
        if (statSync(paths[i]!).isDirectory()) why = "folder";
      } catch {
        why = "missing";
      }
      if (!why) return;
      if (++missing > MAX_REPORTED) return;
      if (why === "missing") bag.report("DataListEntryMissing", spanOf(file, e), [e.path, base]);
      else bag.report("DataListSyntax", spanOf(file, e), [`'${e.path}' is a folder, not an image file`]);
    });
    if (missing > MAX_REPORTED)
      bag.report("DataListSyntax", undefined, [
        `… and ${missing - MAX_REPORTED} more lines of ${file} like these`,
      ]);
    if (bag.hasErrors) throw new DiagnosticError(bag.items);
  }
  const labelled = entries[0]!.label !== undefined;
  const numbered = labelled ? numberLabels(entries.map((e) => e.label!)) : undefined;
  const labels = numbered?.labels ?? new Int32Array(entries.length).fill(UNLABELLED);
  let numClasses = 0;
  for (const l of labels) numClasses = Math.max(numClasses, l + 1);
  return {
    train: encodedDataset({
      name: `list:${file}`,
      size: entries.length,
      numClasses,
      ...(numbered?.classNames ? { classNames: numbered.classNames } : {}),
      sortedByClass: false,
      label: (i) => labels[i]!,
      describe: (i) => paths[i]!,
      read: (i) => readImageBytes(paths[i]!),
    }),
  };
}
