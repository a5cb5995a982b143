import { rejected } from '../internal/reject.js';
import { checkOptions, checkSignal, checkTimeout, WAIT_FORM } from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import type { WaitOptions } from './options.js';
import { RESOLVED_FALSE, RESOLVED_TRUE, timedOutFalse } from './grant.js';
import { inThreadOnly } from '../internal/classes.js';

/**
 * A flag tasks of one thread can wait for (Python's `asyncio.Event`):
 * `set()` wakes every waiter, `clear()` resets it.
 *
 * @remarks A waiter woken by `set()` returns `true` even if `clear()`
 * follows at once. Cancellation: an aborted wait leaves nothing behind.
 * @example
 * ```ts
 * const ready = new Event();
 * setTimeout(() => ready.set(), 10);
 * await ready.wait(); // true
 * ```
 */
export class Event {
  #flag = false;
  readonly #waiters = new WaiterList<boolean>();

  /** Whether the flag is set. */
  isSet(): boolean {
    return this.#flag;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this.#flag) return;
    this.#flag = true;
    this.#waiters.grantAll(true);
  }

  /** Clears the flag. */
  clear(): void {
    this.#flag = false;
  }

  /**
   * Waits until the flag is set.
   *
   * @returns `true` once set (at once if it is); `false` on timeout.
   * @throws {RangeError} (rejects) negative timeout.
   */
  wait(options?: WaitOptions): Promise<boolean> {
    try {
      return this.#wait(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #wait(options?: WaitOptions): Promise<boolean> {
    checkOptions(options, 'event.wait(options)', WAIT_FORM);
    const timeout = checkTimeout(options?.timeout);
    const signal = checkSignal(options?.signal);
    if (this.#flag) return RESOLVED_TRUE;
    if (timeout === 0) return RESOLVED_FALSE;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return this.#waiters.park(undefined, timeout, signal, timedOutFalse);
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    const waiters = this.#waiters.size;
    return `<Event [${this.#flag ? 'set' : 'unset'}${waiters > 0 ? `, waiters:${waiters}` : ''}]>`;
  }
}

inThreadOnly(Event, 'weft/asyncio', 'across threads, use Event from weft/threading');
