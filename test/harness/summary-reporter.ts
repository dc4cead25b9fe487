// Ends a test run with the plain line `N passed, N failed, N skipped`, which CI reads to count tests
// whatever the runner; the default reporter stays in charge of everything else.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = (state: "passed" | "failed" | "skipped"): number =>
      testModules.reduce((n, m) => n + [...m.children.allTests(state)].length, 0);
    const failedModules = testModules.filter((m) => m.state() === "failed").length;
    process.stdout.write(
      `\n${count("passed")} passed, ${count("failed") + failedModules} failed, ${count("skipped")} skipped\n`,
    );
  }
}
