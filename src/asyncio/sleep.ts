import { rejected } from '../internal/reject.js';
import { sleep as schedule } from '../internal/scheduler.js';
import { checkOptions, checkSignal, checkTimeout } from '../internal/validate.js';

/** Options of {@link sleep}. */
export interface SleepOptions {
  /** Ends the sleep early: it rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/**
 * Resolves after `delay` ms (Python's `asyncio.sleep`), never earlier on the
 * monotonic clock. `sleep(0)` yields once to the loop: the callbacks and
 * tasks already ready run first, in order.
 *
 * @param delay - Ms, >= 0.
 * @throws {RangeError} (rejects) for a negative delay.
 * @remarks Cancellation: when `signal` aborts, the timer is dropped and the
 * promise rejects with `signal.reason`.
 * @example
 * ```ts
 * await sleep(100);
 * try {
 *   await sleep(5_000, { signal: AbortSignal.timeout(50) });
 * } catch (e) {
 *   console.log((e as Error).name); // TimeoutError, after 50 ms: the signal's reason
 * }
 * ```
 */
export function sleep(delay: number, options?: SleepOptions): Promise<void> {
  try {
    return sleepChecked(delay, options);
  } catch (error) {
    return rejected(error);
  }
}

function sleepChecked(delay: number, options?: SleepOptions): Promise<void> {
  const ms = checkTimeout(delay, 'delay');
  return schedule(
    ms,
    checkSignal(checkOptions(options, 'sleep(delay, options)', '{ signal }').signal),
  );
}
