// Every diagnostic vfmc can print, once. Codes are never renumbered or reused (a test checks uniqueness).
// Bands: 1xxx lexing/parsing · 2xxx resolution (imports, extends, keys, value kinds) · 3xxx model checks
// (shapes, divisibility, ranges, schedules) · 4xxx compile/lowering/weights · 5xxx CLI and files · 6xxx runtime.
// Templates use {0}, {1}… for arguments; `hint` may use the same arguments.

export type Severity = "error" | "warning" | "info";

interface Entry {
  readonly code: number;
  readonly severity: Severity;
  readonly message: string;
  readonly hint?: string;
  /** a paragraph for `vfmc explain` and the LSP hover */
  readonly explain?: string;
}

export const Diag = {
  // 1xxx — lexing and parsing
  UnexpectedCharacter: {
    code: 1001,
    severity: "error",
    message: "unexpected character {0}",
    hint: "remove it; .vfm uses // for comments and \"…\" for strings",
  },
  UnterminatedString: {
    code: 1002,
    severity: "error",
    message: "unterminated string",
    hint: "close the string with a double quote on the same line",
  },
  UnexpectedToken: {
    code: 1003,
    severity: "error",
    message: "expected {0} but found {1}",
  },
  UnclosedBlock: {
    code: 1004,
    severity: "error",
    message: "'{' opened here is never closed",
    hint: "add the missing '}'",
  },

  // 5xxx — CLI and files
  FileNotFound: {
    code: 5001,
    severity: "error",
    message: "cannot read {0}: {1}",
    hint: "check the path; paths are relative to the current directory",
  },
  UnknownModelOption: {
    code: 5002,
    severity: "error",
    message: "no model named '{0}' in {1}",
    hint: "models here: {2}",
  },
  NoModels: {
    code: 5003,
    severity: "error",
    message: "{0} defines no model",
    hint: "add `model NAME { … }` or import a spec that has one",
  },
  BadOption: {
    code: 5004,
    severity: "error",
    message: "{0}",
    hint: "run `vfmc {1} --help` for the accepted options",
  },
  InternalCompilerError: {
    code: 5999,
    severity: "error",
    message: "internal error (a vfmc bug): {0}",
    hint: "re-run with --trace for the stack, and report it",
  },
} as const satisfies Record<string, Entry>;

export type DiagKey = keyof typeof Diag;
