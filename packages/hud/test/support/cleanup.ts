// Per-test cleanup: register teardown as resources are made; it runs after each test, pass or fail.
import { afterEach } from "vitest";

export type Defer = (teardown: () => unknown) => void;

/** Call once at module top level; returns `defer(fn)`. Teardowns run in reverse order; failures are collected. */
export function useCleanup(): Defer {
  const stack: (() => unknown)[] = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    while (stack.length > 0) {
      const teardown = stack.pop()!;
      try {
        await teardown();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
  return (teardown) => {
    stack.push(teardown);
  };
}
