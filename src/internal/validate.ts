import { describe } from './errors.js';

/** Longest timeout accepted, in ms (about 24.8 days, the largest a Node timer takes). */
export const TIMEOUT_MAX = 2 ** 31 - 1;

/**
 * Validates a timeout in ms. `undefined` and `Infinity` mean no limit (returned
 * as `Infinity`); NaN, negatives and non-numbers throw, because Atomics would
 * silently treat NaN as "forever" and negatives as "now".
 */
export function checkTimeout(timeout: unknown, name = 'timeout'): number {
  if (timeout === undefined || timeout === Infinity) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(
      `Expected \`${name}\` to be a number of milliseconds, got ${describe(timeout)}`,
    );
  }
  if (timeout < 0) {
    throw new RangeError(`Expected \`${name}\` to be >= 0, got ${describe(timeout)}`);
  }
  return timeout;
}

/**
 * Validates `{ blocking, timeout }` (locks) or `{ block, timeout }` (queues)
 * as Python does; returns the timeout (0 when not blocking). `name` is the
 * flag's option name, for the error messages.
 */
export function checkAcquire(blocking: unknown, timeout: unknown, name = 'blocking'): number {
  if (blocking !== undefined && typeof blocking !== 'boolean') {
    throw new TypeError(`Expected \`${name}\` to be a boolean, got ${describe(blocking)}`);
  }
  if (blocking === false) {
    if (timeout !== undefined) {
      throw new RangeError(
        `A \`timeout\` cannot be given with \`${name}: false\`, got ${describe(timeout)}`,
      );
    }
    return 0;
  }
  return checkTimeout(timeout);
}

/** Validates an optional AbortSignal. */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describe(signal)}`);
  }
  return signal;
}

/** Validates an integer within [min, max]. */
export function checkInt(
  value: unknown,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new (typeof value === 'number' && Number.isInteger(value) ? RangeError : TypeError)(
      `Expected \`${name}\` to be an integer ${range}, got ${describe(value)}`,
    );
  }
  return value;
}
