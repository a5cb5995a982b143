import { argTypeError, codedError, describe, outOfRangeError } from './errors.js';

/** Longest timeout accepted, in ms (about 24.8 days, the largest a Node timer takes). */
export const TIMEOUT_MAX = 2 ** 31 - 1;

const NO_OPTIONS: object = Object.freeze({});

/** Options forms shown by {@link checkOptions}'s messages. */
export const ASYNC_FORM = '{ blocking: false } or { timeout: 100, signal }';
export const SYNC_FORM = '{ blocking: false } or { timeout: 100 }';
export const WAIT_FORM = '{ timeout: 100, signal }';
export const WAIT_SYNC_FORM = '{ timeout: 100 }';
export const QUEUE_FORM = '{ block: false } or { timeout: 100, signal }';
export const KILL_FORM = '{ block: false } or { timeout: 100, exception }';
export const QUEUE_SYNC_FORM = '{ block: false } or { timeout: 100 }';

/**
 * Validates an options object: `undefined` gives an empty (frozen) object;
 * anything but a plain object (a primitive, `null`, an array, a function, an
 * AbortSignal) throws a `TypeError` with code `ERR_INVALID_ARG_TYPE` that
 * shows the options form. This is where Python's positional habits land:
 * `lock.acquireSync(false)`, `new Barrier(2, fn)`, `q.get(false)`,
 * `new asyncio.Queue(5)` would otherwise be silently ignored.
 *
 * @param call - How the message names the call, e.g. "lock.acquireSync()".
 * @param form - The options form to show, e.g. "{ blocking: false, timeout: 100 }".
 */
export function checkOptions<T extends object>(
  options: T | undefined,
  call: string,
  form: string,
): T {
  if (options === undefined) return NO_OPTIONS as T;
  if (
    typeof options !== 'object' ||
    options === null ||
    Array.isArray(options) ||
    options instanceof AbortSignal
  ) {
    const hint =
      options instanceof AbortSignal
        ? 'pass it as { signal }'
        : "Python's positional arguments are named options in weft";
    throw argTypeError(
      `Expected the options of \`${call}\` to be an object like ${form}, got ${describe(options)}: ${hint}`,
    );
  }
  return options;
}

/**
 * Validates a timeout in ms. `undefined` and `Infinity` mean no limit (returned
 * as `Infinity`); NaN, negatives and non-numbers throw, because Atomics would
 * silently treat NaN as "forever" and negatives as "now". Any finite value is
 * returned as is, never clamped: every timer that a timeout drives honours
 * values past Node's 2^31 ms limit (internal/timer.ts, internal/scheduler.ts),
 * and Atomics waits take any double.
 */
export function checkTimeout(timeout: unknown, name = 'timeout'): number {
  if (timeout === undefined || timeout === Infinity) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw argTypeError(
      `Expected \`${name}\` to be a number of milliseconds, got ${describe(timeout)}`,
    );
  }
  if (timeout < 0) {
    throw outOfRangeError(`Expected \`${name}\` to be >= 0, got ${describe(timeout)}`);
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
    throw argTypeError(`Expected \`${name}\` to be a boolean, got ${describe(blocking)}`);
  }
  if (blocking === false) {
    if (timeout !== undefined) {
      throw codedError(
        RangeError,
        'ERR_INVALID_ARG_VALUE',
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
    throw argTypeError(`Expected \`signal\` to be an AbortSignal, got ${describe(signal)}`);
  }
  return signal;
}

/** Validates an optional boolean. */
export function checkBoolean(value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw argTypeError(`Expected \`${name}\` to be a boolean, got ${describe(value)}`);
  }
  return value;
}

/**
 * Validates an integer within [min, max]: a non-integer is a `TypeError`
 * (`ERR_INVALID_ARG_TYPE`), an integer out of range a `RangeError`
 * (`ERR_OUT_OF_RANGE`).
 */
export function checkInt(
  value: unknown,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    const message = `Expected \`${name}\` to be an integer ${range}, got ${describe(value)}`;
    throw typeof value === 'number' && Number.isInteger(value)
      ? outOfRangeError(message)
      : argTypeError(message);
  }
  return value;
}
