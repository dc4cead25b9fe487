// The prettier plugin for .vfm: `prettier --plugin ./dist/lang/format/plugin.js spec.vfm`.
// The parser is vfmc's own (src/lang/parse.ts); the AST it returns already has prettier's
// shape — a root with `comments`, spans for locStart/locEnd — so no conversion is needed.
import type { Parser, SupportLanguage } from "prettier";
import { parse } from "../parse.js";
import { vfmPrinter, type VfmNode } from "./print.js";

export const languages: SupportLanguage[] = [
  {
    name: "vfm",
    parsers: ["vfm"],
    extensions: [".vfm"],
    vscodeLanguageIds: ["vfm"],
  },
];

/** A syntax error as prettier reports it: message plus 1-based position for its code frame. */
class VfmSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly loc: { start: { line: number; column: number } },
  ) {
    super(message);
  }
}

const locStart = (node: VfmNode): number => node.span.start.offset;
const locEnd = (node: VfmNode): number => node.span.end.offset;

export const parsers: Record<string, Parser<VfmNode>> = {
  vfm: {
    astFormat: "vfm-ast",
    locStart,
    locEnd,
    parse(text, options) {
      const { doc, diagnostics } = parse(text, options.filepath ?? "<input>");
      const first = diagnostics.find((d) => d.severity === "error");
      if (first) {
        const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
        const at = first.span?.start ?? { line: 1, col: 1 };
        throw new VfmSyntaxError(`${first.code}: ${first.message}${more}`, {
          start: { line: at.line, column: at.col },
        });
      }
      // Prettier takes `comments` off the root and attaches them to nodes; copy so the parsed
      // Document stays as parse() made it.
      return { ...doc, comments: doc.comments.map((c) => ({ ...c })) };
    },
  },
};

export const printers = { "vfm-ast": vfmPrinter };

const plugin = { languages, parsers, printers };
export default plugin;
