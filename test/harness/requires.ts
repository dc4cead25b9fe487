// Tests that need what the repository commits (the PyTorch fixtures) or CI installs (.ci/run: Fashion-MNIST,
// Chromium): present → they run; absent → under CI (CI set) they fail saying what is missing, elsewhere they are
// skipped with the reason in their name. Never a silent skip, never an early `return` that passes.
import { describe, it, type TestFunction } from "vitest";

export const inCI = Boolean(process.env["CI"]);

export interface Requirement {
  readonly describe: (name: string, fn: () => void) => void;
  readonly it: (name: string, fn: TestFunction, timeout?: number) => void;
}

export function requires(present: boolean, what: string): Requirement {
  const missing = (name: string): void => {
    if (inCI)
      it(`${name} (needs ${what})`, () => {
        throw new Error(`${what} is missing; CI installs or commits it, so this test must run`);
      });
    else it.skip(`${name} (skipped: ${what} is missing)`, () => undefined);
  };
  return {
    describe: (name, fn) => (present ? describe(name, fn) : describe(name, () => missing(name))),
    it: (name, fn, timeout) => (present ? it(name, fn, timeout) : missing(name)),
  };
}
