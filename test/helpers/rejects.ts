// The rule for promise-returning methods (docs/architecture.md, README
// "Errors"): a method that returns a promise never throws at the call; a bad
// argument rejects the promise it returns. Used by the contract suites.
import assert from 'node:assert/strict';

/** Calls `call`, asserting that it returns a promise and does not throw; returns that promise. */
export function promiseOf(what: string, call: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    assert.fail(`${what} threw at the call instead of rejecting: ${String(error)}`);
  }
  assert.ok(result instanceof Promise, `${what} returns a promise`);
  return result;
}

/**
 * Asserts that `call()` returns a promise (never throws synchronously) that
 * rejects with an error of class `Class` and code `code`.
 */
export async function assertRejectsAtCall(
  what: string,
  call: () => unknown,
  Class: new (...args: never[]) => Error,
  code: string,
): Promise<void> {
  await assert.rejects(
    promiseOf(what, call),
    (e: unknown) => e instanceof Class && (e as { code?: unknown }).code === code,
    what,
  );
}
