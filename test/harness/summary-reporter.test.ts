// The closing line counts each failure once: a failed test, or a file that failed without one (it did not load).
import { describe, expect, it } from "vitest";
import type { TestModule } from "vitest/node";
import { summaryLine } from "./summary-reporter.js";

function fakeModule(tests: Record<"passed" | "failed" | "skipped", number>, loadError = false): TestModule {
  const failed = tests.failed > 0 || loadError;
  return {
    state: () => (failed ? "failed" : "passed"),
    children: { allTests: (s: "passed" | "failed" | "skipped") => Array.from({ length: tests[s] }) },
  } as unknown as TestModule;
}

describe("summary line", () => {
  it("says 1 failed when one test of 669 failed (it said 2: the test and its file)", () => {
    const modules = [
      fakeModule({ passed: 600, failed: 0, skipped: 0 }),
      fakeModule({ passed: 68, failed: 1, skipped: 0 }),
    ];
    expect(summaryLine(modules)).toBe("668 passed, 1 failed, 0 skipped");
  });

  it("counts a file that could not load as one failure", () => {
    const modules = [
      fakeModule({ passed: 3, failed: 0, skipped: 1 }),
      fakeModule({ passed: 0, failed: 0, skipped: 0 }, true),
    ];
    expect(summaryLine(modules)).toBe("3 passed, 1 failed, 1 skipped");
  });
});
