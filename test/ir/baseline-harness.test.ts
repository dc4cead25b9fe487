// The golden-file diff must be readable: removed lines first, then added ones, with context.
import { expect, test } from "vitest";
import { lineDiff } from "../harness/baseline.js";

test("lineDiff shows the changed line as - then +, with surrounding context", () => {
  const d = lineDiff("a\nb\nc\nd\ne\nf\ng", "a\nb\nc\nD\ne\nf\ng");
  expect(d.split("\n")).toEqual(["  b", "  c", "- d", "+ D", "  e", "  f"]);
});

test("lineDiff marks gaps between distant changes", () => {
  const d = lineDiff("1\n2\n3\n4\n5\n6\n7\n8\n9", "x\n2\n3\n4\n5\n6\n7\n8\ny");
  expect(d).toContain("  …");
  expect(d.split("\n")[0]).toBe("- 1");
});
