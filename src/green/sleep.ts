import { rejected } from '../internal/reject.js';
import { sleep as schedule } from '../internal/scheduler.js';
import { checkTimeout } from '../internal/validate.js';
import { blocking } from './hub.js';

/**
 * Suspends the current greenlet for `delay` ms (gevent's `sleep`); `sleep(0)`
 * (the default) just yields: the greenlets already ready run first, in order,
 * then this one goes on. A kill or an expired {@link Timeout} of this
 * greenlet interrupts it.
 *
 * @param delay - Ms, >= 0. @default 0
 * @throws {RangeError} (rejects) for a negative delay.
 * @example
 * ```ts
 * spawn(async () => {
 *   console.log('foo');
 *   await sleep(0); // bar runs here
 *   console.log('foo again');
 * });
 * ```
 */
export function sleep(delay = 0): Promise<void> {
  try {
    return sleepChecked(delay);
  } catch (error) {
    return rejected(error);
  }
}

function sleepChecked(delay = 0): Promise<void> {
  const ms = checkTimeout(delay, 'delay');
  return blocking((signal) => schedule(ms, signal));
}
