// Formatting is `vfmc fmt`'s formatter on the buffer: one edit replacing the whole text when it changes.
// A buffer with syntax errors is left alone (its diagnostics already say why).
import type { TextEdit } from "vscode-languageserver";
import { DiagnosticError } from "../../diagnostics/diagnostic.js";
import { formatVfm } from "../../lang/format/format.js";
import type { Analysis } from "../workspace.js";

export async function formatDocument(a: Analysis): Promise<TextEdit[]> {
  const before = a.text.getText();
  let after: string;
  try {
    after = await formatVfm(before, a.file);
  } catch (e) {
    if (e instanceof DiagnosticError) return [];
    throw e;
  }
  if (after === before) return [];
  return [
    { range: { start: { line: 0, character: 0 }, end: a.text.positionAt(before.length) }, newText: after },
  ];
}
