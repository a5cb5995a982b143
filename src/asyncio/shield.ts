import { rejected } from '../internal/reject.js';
import { argTypeError, describe } from '../internal/errors.js';
import { checkOptions, checkSignal } from '../internal/validate.js';

/** Options of {@link shield}. */
export interface ShieldOptions {
  /** Aborts the wait, not the shielded work. */
  readonly signal?: AbortSignal;
}

/**
 * Waits for `promise` while protecting it from cancellation (Python's
 * `asyncio.shield`): when `signal` aborts, the returned promise rejects with
 * `signal.reason`, and the shielded work goes on to completion (its outcome
 * is then dropped).
 *
 * @example
 * ```ts
 * tg.create(async (signal) => {
 *   const saving = save(state);          // must not be cut short
 *   await shield(saving, { signal });    // this task may stop waiting, the save goes on
 * });
 * ```
 */
export function shield<T>(promise: PromiseLike<T>, options?: ShieldOptions): Promise<Awaited<T>> {
  try {
    return shieldChecked<T>(promise, options);
  } catch (error) {
    return rejected(error);
  }
}

function shieldChecked<T>(promise: PromiseLike<T>, options?: ShieldOptions): Promise<Awaited<T>> {
  if (
    (typeof promise !== 'object' && typeof promise !== 'function') ||
    promise === null ||
    typeof promise.then !== 'function'
  ) {
    throw argTypeError(`Expected \`promise\` to be a promise, got ${describe(promise)}`);
  }
  const signal = checkSignal(
    checkOptions(options, 'shield(promise, options)', '{ signal }').signal,
  );
  const inner = Promise.resolve(promise) as Promise<Awaited<T>>;
  if (signal === undefined) return inner;
  if (signal.aborted) {
    inner.catch(() => {});
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<Awaited<T>>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    inner.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as given
        reject(error);
      },
    );
  });
}
