// `vfmc lsp --stdio`: the language server on standard input and output, which is how editors start it.
import { createConnection } from "vscode-languageserver/node";
import { startServer } from "./server.js";

export function serveStdio(): void {
  const connection = createConnection(process.stdin, process.stdout);
  // stdout carries the protocol: anything printed there would corrupt it, so console output goes to the client's log.
  console.log =
    console.info =
    console.warn =
      (...args: unknown[]) => connection.console.log(args.map(String).join(" "));
  startServer(connection);
}
