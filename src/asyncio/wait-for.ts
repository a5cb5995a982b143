import { rejected } from '../internal/reject.js';
import { argTypeError, describe } from '../internal/errors.js';
import { checkOptions, checkSignal, checkTimeout, WAIT_FORM } from '../internal/validate.js';
import { timeout as openTimeout } from './timeout.js';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Most ms to wait; then it rejects with `TimeoutError`. @default Infinity */
  readonly timeout?: number;
  /** Ends the wait early: it rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/**
 * Waits for a task, at most `timeout` ms (Python's `asyncio.wait_for`). Give
 * it a function to have the task cancelled on timeout: it is called with a
 * signal that aborts (with the `TimeoutError`) when time runs out.
 *
 * @param task - A promise, or a function of an AbortSignal returning one.
 * @returns What the task resolves to.
 * @throws {TimeoutError} (rejects) when `timeout` passes first.
 * @remarks Cancellation: a promise cannot be stopped from outside, so given
 * a promise, `waitFor` only stops waiting for it; given a function, it also
 * aborts the function's signal. It does not wait for the task to stop.
 * @example
 * ```ts
 * const body = await waitFor((signal) => fetch(url, { signal }).then((r) => r.text()), {
 *   timeout: 1_000,
 * });
 * ```
 */
export function waitFor<T>(
  task: PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>),
  options?: WaitForOptions,
): Promise<Awaited<T>> {
  try {
    return waitForChecked(task, options);
  } catch (error) {
    return rejected(error);
  }
}

function waitForChecked<T>(
  task: PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>),
  options?: WaitForOptions,
): Promise<Awaited<T>> {
  options = checkOptions(options, 'waitFor(task, options)', WAIT_FORM);
  const ms = checkTimeout(options.timeout);
  const parent = checkSignal(options.signal);
  if (typeof task !== 'function' && !isThenable(task)) {
    throw argTypeError(
      `Expected \`task\` to be a promise or a function returning one, got ${describe(task)}`,
    );
  }
  if (ms === Infinity && parent === undefined) {
    return Promise.resolve(typeof task === 'function' ? call(task, undefined) : task);
  }
  const scope = openTimeout(ms, parent === undefined ? undefined : { signal: parent });
  const signal = scope.signal;
  if (signal.aborted) {
    scope[Symbol.dispose]();
    return Promise.reject(signal.reason as Error);
  }
  const inner = Promise.resolve(typeof task === 'function' ? call(task, signal) : task);
  return new Promise<Awaited<T>>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      scope[Symbol.dispose]();
    };
    inner.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as given
        reject(error);
      },
    );
  });
}

function call<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  signal: AbortSignal | undefined,
): T | PromiseLike<T> {
  try {
    return fn(signal ?? new AbortController().signal);
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as given
    return Promise.reject(error);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
