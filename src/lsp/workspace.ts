// The server's view of the files: open editor buffers win over the disk, so a spec that imports an unsaved
// buffer is checked against what the user sees. Each document's analysis is the compiler's own — checkSpec for
// diagnostics and models, loadProgram for the merged `extends` bodies — computed on demand and cached until any
// open buffer changes (an edit in one file can change the diagnostics of every file that imports it).
import type { TextDocuments } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { makeDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Document } from "../lang/ast.js";
import { parse } from "../lang/parse.js";
import { fileHost, loadProgram, type Program, type ResolveHost } from "../lang/resolve.js";
import { checkSpec } from "../lower/check-spec.js";
import type { ModelIR } from "../ir/model.js";
import { pathOfUri } from "./positions.js";

export interface Analysis {
  readonly uri: string;
  readonly file: string;
  readonly text: TextDocument;
  /** this file's AST (partial when the text has syntax errors) */
  readonly doc: Document;
  /** every diagnostic of parsing, resolution and checking, in every file the document reaches */
  readonly diagnostics: readonly Diagnostic[];
  /** the checked models declared in this file */
  readonly models: readonly ModelIR[];
  /** imports and merged `extends` bodies, loaded on first use (hover, completion, definition) */
  program(): Program;
}

export class Workspace {
  private generation = 0;
  private readonly cache = new Map<string, { generation: number; version: number; analysis: Analysis }>();

  constructor(readonly documents: TextDocuments<TextDocument>) {}

  /** Reads open buffers first, then the disk. */
  readonly host: ResolveHost = {
    readFile: (file) => this.openDocument(file)?.getText() ?? fileHost.readFile(file),
  };

  /** Some buffer changed, opened or closed: every cached analysis may be stale. */
  invalidate(): void {
    this.generation++;
  }

  openDocument(file: string): TextDocument | undefined {
    return this.documents.all().find((d) => pathOfUri(d.uri) === file);
  }

  analyse(uri: string): Analysis | undefined {
    const text = this.documents.get(uri);
    if (!text) return undefined;
    const cached = this.cache.get(uri);
    if (cached && cached.generation === this.generation && cached.version === text.version)
      return cached.analysis;
    const analysis = this.compute(uri, text);
    this.cache.set(uri, { generation: this.generation, version: text.version, analysis });
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  private compute(uri: string, text: TextDocument): Analysis {
    const file = pathOfUri(uri);
    let program: Program | undefined;
    const programOf = (): Program => (program ??= loadProgram(file, this.host));
    try {
      const spec = checkSpec(file, this.host);
      const doc = spec.files.get(file) ?? spec.files.values().next().value ?? parse(text.getText(), file).doc;
      return { uri, file, text, doc, diagnostics: spec.diagnostics, models: spec.models, program: programOf };
    } catch (e) {
      // A checker bug must not take the editor down with it: keep the syntax diagnostics and say what broke.
      const parsed = parse(text.getText(), file);
      const why = e instanceof Error ? e.message : String(e);
      const at = { ...parsed.doc.span, end: parsed.doc.span.start };
      const internal = makeDiagnostic("InternalCompilerError", at, [why.split("\n")[0] ?? why]);
      return {
        uri,
        file,
        text,
        doc: parsed.doc,
        diagnostics: [...parsed.diagnostics, internal],
        models: [],
        program: programOf,
      };
    }
  }
}
