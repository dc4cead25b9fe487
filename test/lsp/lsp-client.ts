// A minimal LSP client for the tests: Content-Length framed JSON-RPC over any pair of streams — an in-process
// server on PassThrough streams, or a spawned `vfmc lsp --stdio`. It answers the server's own requests with null
// and lets a test wait for a specific notification (never for a fixed time).
import { PassThrough, type Readable, type Writable } from "node:stream";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { StreamMessageReader, StreamMessageWriter, createConnection } from "vscode-languageserver/node";
import type { Diagnostic, PublishDiagnosticsParams } from "vscode-languageserver";
import { startServer } from "../../src/lsp/server.js";

interface Message {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
}

type Waiter = { method: string; accept: (params: unknown) => boolean; resolve: (params: unknown) => void };

export class LspClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private readonly received: { method: string; params: unknown }[] = [];
  private waiters: Waiter[] = [];

  constructor(
    fromServer: Readable,
    private readonly toServer: Writable,
  ) {
    fromServer.on("data", (chunk: Buffer) => this.onData(chunk));
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    this.send({ id, method, params });
    return new Promise<T>((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject }),
    );
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The first notification of `method` accepted by `accept` — already received or still to come. */
  waitFor<T>(method: string, accept: (params: T) => boolean = () => true): Promise<T> {
    const i = this.received.findIndex((n) => n.method === method && accept(n.params as T));
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0]!.params as T);
    return new Promise<T>((resolve) =>
      this.waiters.push({
        method,
        accept: accept as (p: unknown) => boolean,
        resolve: resolve as (p: unknown) => void,
      }),
    );
  }

  /** The next diagnostics published for `uri` at `version` (or any version). */
  diagnostics(uri: string, version?: number): Promise<Diagnostic[]> {
    return this.waitFor<PublishDiagnosticsParams>(
      "textDocument/publishDiagnostics",
      (p) => p.uri === uri && (version === undefined || p.version === version),
    ).then((p) => p.diagnostics);
  }

  async initialize(rootUri: string | null = null): Promise<unknown> {
    const result = await this.request("initialize", {
      processId: null,
      rootUri,
      capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } } },
    });
    this.notify("initialized", {});
    return result;
  }

  open(uri: string, text: string, version = 1): void {
    this.notify("textDocument/didOpen", { textDocument: { uri, languageId: "vfm", version, text } });
  }

  change(uri: string, text: string, version: number): void {
    this.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  private send(m: object): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...m }), "utf8");
    this.toServer.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.toServer.write(body);
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = Number(
        /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString("ascii"))?.[1],
      );
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(
        this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8"),
      ) as Message;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(message);
    }
  }

  private dispatch(m: Message): void {
    if (m.method !== undefined && m.id !== undefined) {
      this.send({ id: m.id, result: null }); // registerCapability, workDoneProgress/create, …
    } else if (m.method !== undefined) {
      const w = this.waiters.find((x) => x.method === m.method && x.accept(m.params));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(m.params);
      } else this.received.push({ method: m.method, params: m.params });
    } else if (typeof m.id === "number") {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result);
    }
  }
}

/** A server in this process, talking over in-memory streams (never ended: ending stdin-like input exits the process). */
export function inProcessServer(debounceMs = 10): LspClient {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const connection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(fromServer));
  startServer(connection, { debounceMs });
  return new LspClient(fromServer, toServer);
}

export const REPO = path.resolve(__dirname, "../..");
export const uriOf = (file: string): string => pathToFileURL(path.resolve(REPO, file)).href;
export const readRepoFile = (file: string): string => readFileSync(path.resolve(REPO, file), "utf8");

/** The LSP position (0-based) of the `n`th occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(
  text: string,
  needle: string,
  delta = 0,
  n = 1,
): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (occurrence ${n}) not in the text`);
  }
  const before = text.slice(0, at + delta);
  const line = before.split("\n").length - 1;
  return { line, character: before.length - before.lastIndexOf("\n") - 1 };
}
