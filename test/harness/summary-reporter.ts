// Ends a test run with the plain line `N passed, N failed, N skipped`, which CI reads to count tests
// whatever the runner; the default reporter stays in charge of everything else. A file that failed without a
// failing test (it did not load, or a hook threw) counts as one failure; a file whose tests failed adds only those.
import type { Reporter, TestModule } from "vitest/node";

export function summaryLine(testModules: ReadonlyArray<TestModule>): string {
  const count = (m: TestModule, state: "passed" | "failed" | "skipped"): number =>
    [...m.children.allTests(state)].length;
  const total = (state: "passed" | "failed" | "skipped"): number =>
    testModules.reduce((n, m) => n + count(m, state), 0);
  const brokenModules = testModules.filter((m) => m.state() === "failed" && count(m, "failed") === 0).length;
  return `${total("passed")} passed, ${total("failed") + brokenModules} failed, ${total("skipped")} skipped`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    process.stdout.write(`\n${summaryLine(testModules)}\n`);
  }
}
