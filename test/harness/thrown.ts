// Test harness: catch the error a call must throw, typed, so a test can look at its diagnostics or message.

/** What `f` throws, which must be a `type`; any other error propagates, and not throwing at all fails. */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected a ${type.name}`);
}
