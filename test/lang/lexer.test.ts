import { describe, expect, it } from "vitest";
import { vfmLexer } from "../../src/lang/tokens.js";

const lex = (text: string) => {
  const r = vfmLexer.tokenize(text);
  return {
    kinds: r.tokens.map((t) => `${t.tokenType.name}:${t.image}`),
    errors: r.errors,
    comments: r.groups["comments"] ?? [],
  };
};

describe("lexer", () => {
  it("splits a range with or without spaces around '..'", () => {
    expect(lex("0.1..0.5").kinds).toEqual(["NumberLiteral:0.1", "DotDot:..", "NumberLiteral:0.5"]);
    expect(lex("0.1 .. 0.5").kinds).toEqual(["NumberLiteral:0.1", "DotDot:..", "NumberLiteral:0.5"]);
    expect(lex("1..5").kinds).toEqual(["NumberLiteral:1", "DotDot:..", "NumberLiteral:5"]);
  });

  it("reads negative numbers and exponents", () => {
    expect(lex("-1 5e-4 1E+3 -2.5e-7 131072").kinds).toEqual([
      "NumberLiteral:-1",
      "NumberLiteral:5e-4",
      "NumberLiteral:1E+3",
      "NumberLiteral:-2.5e-7",
      "NumberLiteral:131072",
    ]);
  });

  it("tells '->' from a negative number", () => {
    expect(lex("0.04->-1").kinds).toEqual(["NumberLiteral:0.04", "Arrow:->", "NumberLiteral:-1"]);
  });

  it("keeps keywords that prefix a longer name as names", () => {
    expect(lex("model models over overlap warmup warmups import imports true trueish").kinds).toEqual([
      "Kw_model:model",
      "Identifier:models",
      "Kw_over:over",
      "Identifier:overlap",
      "Kw_warmup:warmup",
      "Identifier:warmups",
      "Kw_import:import",
      "Identifier:imports",
      "Kw_true:true",
      "Identifier:trueish",
    ]);
  });

  it("puts comments in their own group", () => {
    const r = lex("a 1 // one\n// two\nb 2");
    expect(r.kinds).toEqual(["Identifier:a", "NumberLiteral:1", "Identifier:b", "NumberLiteral:2"]);
    expect(r.comments.map((c) => c.image)).toEqual(["// one", "// two"]);
  });

  it("lexes strings with escapes, and unterminated strings as a token of their own", () => {
    expect(lex('"a\\"b" "x').kinds).toEqual(['StringLiteral:"a\\"b"', 'UnterminatedString:"x']);
  });

  it("marks a number glued to a name as malformed", () => {
    expect(lex("768px 1.5x").kinds).toEqual(["MalformedNumber:768px", "MalformedNumber:1.5x"]);
  });

  it("reports an unexpected character with its offset", () => {
    const r = lex("a = 1");
    expect(r.kinds).toEqual(["Identifier:a", "NumberLiteral:1"]);
    expect(r.errors.map((e) => [e.offset, e.length])).toEqual([[2, 1]]);
  });
});
