// `formatVfm`: canonical .vfm text. The style is fixed (2-space indent, 80 columns) and no
// prettier config file is consulted, so every checkout formats a spec the same way.
import { format } from "prettier";
import { DiagnosticError } from "../../diagnostics/diagnostic.js";
import { parse } from "../parse.js";
import plugin from "./plugin.js";

/** Formats `text`; a spec with syntax errors throws DiagnosticError carrying all of them. */
export async function formatVfm(text: string, file: string): Promise<string> {
  const errors = parse(text, file).diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new DiagnosticError(errors);
  return format(text, {
    parser: "vfm",
    plugins: [plugin],
    filepath: file,
    printWidth: 80,
    tabWidth: 2,
    useTabs: false,
    endOfLine: "lf",
  });
}
