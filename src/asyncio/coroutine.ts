import { argTypeError, describe } from '../internal/errors.js';

/**
 * Makes a generator function return its generators primed: advanced to
 * their first `yield`, ready for `next(value)`, which is Python's
 * `send(value)` (David Beazley's `@coroutine` decorator). Without it, the
 * first `next(value)` would be swallowed: a fresh generator has no `yield`
 * to receive it.
 *
 * @param fn - A generator function whose first `yield` waits for input.
 * @returns A function with the same parameters returning primed generators.
 * @example
 * ```ts
 * const minimize = coroutine(function* (): Generator<number, never, number> {
 *   let current = yield NaN;            // primed: waits here for the first value
 *   for (;;) current = Math.min(yield current, current);
 * });
 * const it = minimize();
 * it.next(4).value;  // 4
 * it.next(22).value; // 4
 * it.next(-1).value; // -1
 * ```
 */
export function coroutine<A extends unknown[], Y, R, S>(
  fn: (...args: A) => Generator<Y, R, S>,
): (...args: A) => Generator<Y, R, S> {
  if (typeof fn !== 'function') {
    throw argTypeError(`Expected \`fn\` to be a generator function, got ${describe(fn)}`);
  }
  const primed = (...args: A): Generator<Y, R, S> => {
    const gen = fn(...args);
    // The priming value is never delivered: no `yield` is waiting for it yet.
    gen.next(undefined as S);
    return gen;
  };
  Object.defineProperty(primed, 'name', { value: fn.name });
  return primed;
}
