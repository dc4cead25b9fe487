// Go to definition: `extends NAME` → the parent model's name; `import "file"` → the file; a key in a model that
// extends another → where the parent chain sets that key (the value the child overrides or inherits).
import type { Location } from "vscode-languageserver";
import type { Block, Entry } from "../../lang/ast.js";
import { importTarget } from "../../lang/resolve.js";
import { locate } from "../locate.js";
import { rangeOf, startOfFile, uriOfPath } from "../positions.js";
import type { Analysis } from "../workspace.js";

export function definition(a: Analysis, offset: number): Location | null {
  const at = locate(a.doc, offset);
  const program = a.program();
  switch (at.kind) {
    case "extends": {
      for (const doc of program.files.values()) {
        const decl = doc.models.find((m) => m.name.name === at.parent.name);
        if (decl) return { uri: uriOfPath(doc.file), range: rangeOf(decl.name.span) };
      }
      return null;
    }
    case "import": {
      const target = importTarget(a.file, at.imp.path);
      return program.files.has(target) ? { uri: uriOfPath(target), range: startOfFile } : null;
    }
    case "key":
    case "value": {
      const parentName = at.model.extends?.name;
      const parent = parentName ? program.models.find((m) => m.name === parentName) : undefined;
      const entry =
        parent &&
        entryAt(
          parent.body,
          at.entries.map((e) => e.key.name),
        );
      return entry ? { uri: uriOfPath(entry.key.span.file), range: rangeOf(entry.key.span) } : null;
    }
    default:
      return null;
  }
}

function entryAt(body: Block, keys: readonly string[]): Entry | undefined {
  let block: Block | undefined = body;
  let entry: Entry | undefined;
  for (const key of keys) {
    entry = block?.entries.find((e) => e.key.name === key);
    block = entry?.block;
  }
  return entry;
}
