// The .vfm language server: wires the LSP features to a connection. Every answer comes from the compiler's own
// parser, resolver and checker (through Workspace); this file only routes requests and schedules diagnostics —
// at once when a document opens, then after a short quiet period while it is edited, for every open document
// (an edit in one file can change the diagnostics of the files that import it).
import {
  CodeActionKind,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeResult,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { complete } from "./features/completion.js";
import { definition } from "./features/definition.js";
import { diagnosticsFor } from "./features/diagnostics.js";
import { formatDocument } from "./features/formatting.js";
import { hover } from "./features/hover.js";
import { quickFixes } from "./features/quick-fixes.js";
import { documentSymbols } from "./features/symbols.js";
import { Workspace } from "./workspace.js";

export interface ServerOptions {
  /** quiet period after an edit before diagnostics are recomputed */
  readonly debounceMs?: number;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const debounceMs = options.debounceMs ?? 200;
  const documents = new TextDocuments(TextDocument);
  const workspace = new Workspace(documents);
  let snippets = false;

  connection.onInitialize((params): InitializeResult => {
    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport ?? false;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: [" ", '"', "/", "[", ","] },
        definitionProvider: true,
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: "vfmc" },
    };
  });

  const publish = (uri: string): void => {
    const a = guard(connection, "diagnostics", () => workspace.analyse(uri));
    if (a)
      void connection.sendDiagnostics({
        uri,
        version: a.text.version,
        diagnostics: guard(connection, "diagnostics", () => diagnosticsFor(a)) ?? [],
      });
  };
  let timer: NodeJS.Timeout | undefined;
  const publishAllSoon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const d of documents.all()) publish(d.uri);
    }, debounceMs);
  };

  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    workspace.invalidate();
    justOpened.add(e.document.uri);
    publish(e.document.uri);
    if (documents.all().length > 1) publishAllSoon();
  });
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return; // opening fires both events; the open was published already
    workspace.invalidate();
    publishAllSoon();
  });
  documents.onDidClose((e) => {
    workspace.invalidate();
    workspace.forget(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    publishAllSoon();
  });

  // An imported file saved or changed on disk (the client watches **/*.vfm) can change any open file's diagnostics.
  connection.onDidChangeWatchedFiles(() => {
    workspace.invalidate();
    publishAllSoon();
  });

  const at = <T>(
    feature: string,
    uri: string,
    body: (a: NonNullable<ReturnType<Workspace["analyse"]>>) => T,
  ): T | null => {
    const a = workspace.analyse(uri);
    return a ? (guard(connection, feature, () => body(a)) ?? null) : null;
  };
  connection.onHover((p) => at("hover", p.textDocument.uri, (a) => hover(a, a.text.offsetAt(p.position))));
  connection.onCompletion(
    (p) =>
      at("completion", p.textDocument.uri, (a) => complete(a, a.text.offsetAt(p.position), { snippets })) ??
      [],
  );
  connection.onDefinition((p) =>
    at("definition", p.textDocument.uri, (a) => definition(a, a.text.offsetAt(p.position))),
  );
  connection.onDocumentSymbol((p) => at("symbols", p.textDocument.uri, (a) => documentSymbols(a)) ?? []);
  connection.onCodeAction(
    (p) => at("quick fixes", p.textDocument.uri, (a) => quickFixes(a, p.context.diagnostics)) ?? [],
  );
  connection.onDocumentFormatting(async (p) => {
    try {
      return (await at("formatting", p.textDocument.uri, (a) => formatDocument(a))) ?? [];
    } catch (e) {
      return (
        guard(connection, "formatting", () => {
          throw e;
        }) ?? []
      );
    }
  });

  documents.listen(connection);
  connection.listen();
}

/** A failure inside a feature is a vfmc bug; it is logged and the request answered empty, never fatal to the editor. */
function guard<T>(connection: Connection, feature: string, body: () => T): T | undefined {
  try {
    return body();
  } catch (e) {
    connection.console.error(
      `vfmc ${feature} failed (a vfmc bug): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
    return undefined;
  }
}
