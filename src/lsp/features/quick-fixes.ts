// Quick fixes for the commonest diagnostics: a misspelt key, enum value or section kind → the nearest valid name
// (the checker's own suggestion, carried in the diagnostic's data); a misspelt parent model → the nearest model
// name in scope; a key set twice → remove the later one.
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic as LspDiagnostic,
  type Range,
} from "vscode-languageserver";
import type { Block, Entry } from "../../lang/ast.js";
import { nearestName } from "../../lang/nearest.js";
import type { Analysis } from "../workspace.js";
import type { FixData } from "./diagnostics.js";

export function quickFixes(a: Analysis, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== "vfmc") continue;
    const data = d.data as FixData | undefined;
    const written = a.text.getText(d.range);
    const replace = (by: string): CodeAction => ({
      title: `Change '${written}' to '${by}'`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [a.uri]: [{ range: d.range, newText: by }] } },
    });
    if (data?.suggestion) actions.push(replace(data.suggestion));
    else if (data?.key === "UnknownParentModel") {
      const near = nearestName(
        written,
        a
          .program()
          .models.map((m) => m.name)
          .filter((n) => n !== written),
      );
      if (near) actions.push(replace(near));
    } else if (data?.key === "DuplicateKey") {
      const entry = entryWithKeyAt(a, a.text.offsetAt(d.range.start));
      if (entry) {
        actions.push({
          title: `Remove this '${entry.key.name}'`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          edit: { changes: { [a.uri]: [{ range: removalRange(a, entry), newText: "" }] } },
        });
      }
    }
  }
  return actions;
}

function entryWithKeyAt(a: Analysis, offset: number): Entry | undefined {
  const search = (block: Block): Entry | undefined => {
    for (const e of block.entries) {
      if (e.key.span.start.offset === offset) return e;
      const inner = e.block && search(e.block);
      if (inner) return inner;
    }
    return undefined;
  };
  for (const m of a.doc.models) {
    const found = search(m.body);
    if (found) return found;
  }
  return undefined;
}

/** The entry with the comma after it; the whole line when nothing else is on it. */
function removalRange(a: Analysis, e: Entry): Range {
  const text = a.text.getText();
  let start = e.span.start.offset;
  let end = e.span.end.offset;
  end += /^[ \t]*,?[ \t]*/.exec(text.slice(end))?.[0].length ?? 0;
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  if (/^[ \t]*$/.test(text.slice(lineStart, start)) && (text[end] === "\n" || end === text.length)) {
    start = lineStart;
    end = Math.min(text.length, end + 1);
  }
  return { start: a.text.positionAt(start), end: a.text.positionAt(end) };
}
