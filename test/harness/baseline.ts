// Golden files: compare text to a checked-in baseline; with VFMC_ACCEPT=1 (npm run baselines:accept) rewrite it.
// A mismatch fails with a line diff, so a reviewer sees what changed without opening both files.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const accepting = process.env["VFMC_ACCEPT"] === "1";

/** A minimal line diff (longest common subsequence): "- expected", "+ actual", with 2 lines of context. */
export function lineDiff(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: [" " | "-" | "+", string, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push([" ", a[i++]!, j++]);
    else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push(["-", a[i++]!, j]);
    else ops.push(["+", b[j++]!, j]);
  }
  const keep = new Set<number>();
  ops.forEach(([op], k) => {
    if (op !== " ") for (let c = k - 2; c <= k + 2; c++) keep.add(c);
  });
  const out: string[] = [];
  let last = -1;
  ops.forEach(([op, line], k) => {
    if (!keep.has(k)) return;
    if (last >= 0 && k > last + 1) out.push("  …");
    out.push(`${op} ${line}`);
    last = k;
  });
  return out.join("\n");
}

/** Throws (a test failure) when `actual` differs from the baseline at `path`, unless accepting. */
export function expectBaseline(path: string, actual: string): void {
  let expected: string | undefined;
  try {
    expected = readFileSync(path, "utf8");
  } catch {
    expected = undefined;
  }
  if (expected === actual) return;
  if (accepting) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (expected === undefined)
    throw new Error(`no baseline ${path}; review the output and run \`npm run baselines:accept\`\n${actual}`);
  throw new Error(
    `${path} differs from the baseline (- baseline, + now); if intended, run \`npm run baselines:accept\`\n${lineDiff(expected, actual)}`,
  );
}
