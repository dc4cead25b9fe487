// The .vfm grammar as a chevrotain CstParser with error recovery. The grammar is generic —
// it knows no spec keys (see ast.ts) — and is factored so one token of lookahead decides each
// choice: a value starting with a number is a number, a range or a schedule; a value starting
// with a name is a name or a shaped schedule (`cosine 0.994 -> 1.0`).
//
//   document     := (importDecl | modelDecl)*
//   importDecl   := 'import' STRING
//   modelDecl    := 'model' IDENT ('extends' IDENT)? block
//   block        := '{' (entry | ',')* '}'     (the agreed `(entry ','?)*`, plus stray commas)
//   entry        := IDENT value? block?      (the value on the key's line)
//   value        := numberValue | identValue | STRING | 'true' | 'false' | list
//   numberValue  := NUMBER ('..' NUMBER | '->' NUMBER scheduleTail)?
//   identValue   := IDENT (NUMBER '->' NUMBER scheduleTail)?
//   scheduleTail := ('over' duration)? ('warmup' duration)?
//   duration     := NUMBER IDENT
//   list         := '[' (value (',' value)* ','?)? ']'
import { CstParser, type IParserErrorMessageProvider } from "chevrotain";
import * as T from "./tokens.js";
import { parserMessages } from "./errors.js";

export class VfmParser extends CstParser {
  constructor(errorMessageProvider: IParserErrorMessageProvider = parserMessages) {
    super([...T.allTokens], {
      recoveryEnabled: true,
      nodeLocationTracking: "onlyOffset",
      maxLookahead: 3,
      errorMessageProvider,
    });
    this.performSelfAnalysis();
  }

  document = this.RULE("document", () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.importDecl) }, { ALT: () => this.SUBRULE(this.modelDecl) }]);
    });
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral, { LABEL: "path" });
  });

  modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.Extends);
      this.CONSUME2(T.Identifier, { LABEL: "parent" });
    });
    this.SUBRULE(this.block);
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.LCurly);
    // Stray commas (`a 1,, b 2`) are let through rather than reported: they mean nothing, the
    // formatter drops them, and re-syncing on them made recovery close the wrong block.
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.entry) }, { ALT: () => this.CONSUME(T.Comma) }]);
    });
    this.CONSUME(T.RCurly);
  });

  entry = this.RULE("entry", () => {
    this.CONSUME(T.Identifier, { LABEL: "key" });
    // A value starts on its key's line. Without this rule a bare flag at the end of a line
    // would swallow the next line's key as its value (`l2norm` ⏎ `hidden 2048`).
    this.OPTION({
      GATE: () => this.LA(1).startLine === this.LA(0).endLine,
      DEF: () => this.SUBRULE(this.value),
    });
    this.OPTION2(() => this.SUBRULE(this.block));
  });

  value = this.RULE("value", () => {
    this.OR({
      DEF: [
        { ALT: () => this.SUBRULE(this.numberValue) },
        { ALT: () => this.SUBRULE(this.identValue) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.SUBRULE(this.list) },
      ],
      ERR_MSG: "a value",
    });
  });

  numberValue = this.RULE("numberValue", () => {
    this.CONSUME(T.NumberLiteral, { LABEL: "first" });
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.DotDot);
            this.CONSUME2(T.NumberLiteral, { LABEL: "hi" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Arrow);
            this.CONSUME3(T.NumberLiteral, { LABEL: "to" });
            this.SUBRULE(this.scheduleTail);
          },
        },
      ]);
    });
  });

  identValue = this.RULE("identValue", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.NumberLiteral, { LABEL: "from" });
      this.CONSUME(T.Arrow);
      this.CONSUME2(T.NumberLiteral, { LABEL: "to" });
      this.SUBRULE(this.scheduleTail);
    });
  });

  scheduleTail = this.RULE("scheduleTail", () => {
    this.OPTION(() => {
      this.CONSUME(T.Over);
      this.SUBRULE(this.duration, { LABEL: "over" });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Warmup);
      this.SUBRULE2(this.duration, { LABEL: "warmup" });
    });
  });

  duration = this.RULE("duration", () => {
    this.CONSUME(T.NumberLiteral, { LABEL: "amount" });
    this.CONSUME(T.Identifier, { LABEL: "unit" });
  });

  list = this.RULE("list", () => {
    this.CONSUME(T.LSquare);
    this.OPTION(() => {
      this.SUBRULE(this.value);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.value);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma, { LABEL: "trailing" }));
    });
    this.CONSUME(T.RSquare);
  });
}

let shared: VfmParser | undefined;
/** One parser instance for the process: building one runs the grammar analysis. */
export function vfmParser(): VfmParser {
  return (shared ??= new VfmParser());
}
