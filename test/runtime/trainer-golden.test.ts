// Spec-based regression: for each spec in examples/, a short fixed-seed CPU run (20 steps, batch 4, one thread,
// synthetic data) through `vfmc run --train` must reproduce the loss curve in examples/baselines/<spec>.loss.txt
// within a tight tolerance (a different CPU may round differently; a changed lowering changes the curve).
// VFMC_ACCEPT=1 (npm run baselines:accept) rewrites the files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/io.js";
import { accepting } from "../harness/baseline.js";
import { scratchDir } from "../harness/scratch-dir.js";

const root = scratchDir("vfmc-golden-");

const ARGS = [
  "--steps",
  "20",
  "--batch",
  "4",
  "--seed",
  "0",
  "--threads",
  "1",
  "--data-workers",
  "0",
  "--data",
  "synthetic",
  "--no-knn",
  "--checkpoint-every",
  "0",
  "--json",
];
/** The total loss, then each loss term's contribution in the order the run reports them. */
function columnsOf(lines: Record<string, number>[]): string[] {
  return ["loss", ...Object.keys(lines[0] ?? {}).filter((k) => k.startsWith("loss_"))];
}
/** |a − b| ≤ ABS + REL·|b|: float32 rounding differences between CPUs, compounded over 20 steps */
const REL = 5e-4;
const ABS = 1e-5;

function curveText(spec: string, lines: Record<string, number>[]): string {
  const columns = columnsOf(lines);
  const header = [
    `# vfmc run --train ${spec} ${ARGS.filter((a) => a !== "--json").join(" ")}`,
    `# step ${columns.join(" ")}`,
  ];
  return (
    [
      ...header,
      ...lines.map((l) => [l.step, ...columns.map((c) => (l[c] ?? NaN).toPrecision(9))].join(" ")),
    ].join("\n") + "\n"
  );
}

function parseCurve(text: string): number[][] {
  return text
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/).map(Number));
}

const specs = readdirSync("examples")
  .filter((f) => f.endsWith(".vfm"))
  .sort();

describe("golden loss curves of the example specs", () => {
  it("covers every example", () => expect(specs.length).toBeGreaterThanOrEqual(2));

  for (const file of specs) {
    const name = basename(file, ".vfm");
    it(
      `${file}: the first 20 steps match examples/baselines/${name}.loss.txt`,
      { timeout: 300_000 },
      async () => {
        const out = join(root, name);
        let err = "";
        const io: Io = { out: () => undefined, err: (t) => void (err += t + "\n") };
        const code = await main(["run", "--train", `examples/${file}`, ...ARGS, "--out", out], io);
        expect(code, err).toBe(0);
        const lines = readFileSync(join(out, "metrics.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Record<string, number>);
        expect(lines).toHaveLength(20);
        const actual = curveText(`examples/${file}`, lines);
        const path = join("examples", "baselines", `${name}.loss.txt`);
        if (accepting || !existsSync(path)) {
          writeFileSync(path, actual);
          if (!accepting) throw new Error(`wrote the missing baseline ${path}; check it in`);
          return;
        }
        const want = parseCurve(readFileSync(path, "utf8"));
        const got = parseCurve(actual);
        expect(got.map((r) => r[0])).toEqual(want.map((r) => r[0]));
        const off: string[] = [];
        got.forEach((row, i) =>
          row.slice(1).forEach((v, j) => {
            const w = want[i]![j + 1]!;
            if (!(Math.abs(v - w) <= ABS + REL * Math.abs(w)))
              off.push(`step ${row[0]} ${columnsOf(lines)[j]}: ${v} vs baseline ${w}`);
          }),
        );
        expect(off, `differences from ${path} (VFMC_ACCEPT=1 rewrites it)`).toEqual([]);
      },
    );
  }
});
