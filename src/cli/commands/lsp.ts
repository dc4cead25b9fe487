// `vfmc lsp --stdio`: the .vfm language server, for editors (the VS Code extension in editors/vscode starts it).
import type { Command } from "commander";
import type { Io } from "../io.js";
import type { RegisterCommand } from "./index.js";

export const registerLsp: RegisterCommand = (program: Command, _io: Io, result) => {
  program
    .command("lsp")
    .description(
      "run the .vfm language server over stdin/stdout (Language Server Protocol); editors start this, people rarely do",
    )
    .option("--stdio", "talk LSP on stdin/stdout (the default and only transport)")
    .option("--clientProcessId <pid>", "exit when this editor process goes away (passed by LSP clients)")
    .allowUnknownOption()
    .addHelpText(
      "after",
      "\nWhat it offers: diagnostics as you type (the same codes as `vfmc check`), hovers with documentation, resolved\n" +
        "values and parameter counts, completion of sections, keys and values, go to definition for `extends` and\n" +
        "`import`, an outline, formatting (`vfmc fmt`) and quick fixes. See docs/editor.md.\n" +
        "Example (any LSP client; for VS Code, install the extension built by `npm run package:vscode`):\n" +
        "  vfmc lsp --stdio\n",
    )
    .action(async () => {
      // Loaded here so other commands do not pay for the protocol library.
      const { serveStdio } = await import("../../lsp/stdio.js");
      serveStdio();
      result.code = 0;
    });
};
