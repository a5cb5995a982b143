import { rejected } from '../internal/reject.js';
import { StateError } from '../internal/errors.js';
import type { Guard } from '../internal/guard.js';
import { ASYNC_FORM, checkAcquire, checkOptions, checkSignal } from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import { ACQUIRE, granted, grantFor, HOLD, refused, timedOut } from './grant.js';
import type { Grant, Mode } from './grant.js';
import type { AcquireOptions } from './options.js';
import { inThreadOnly } from '../internal/classes.js';

/**
 * A lock for the tasks of one thread (Python's `asyncio.Lock`), with the
 * API of weft/threading's `Lock` minus the blocking forms. Fair: waiters get
 * it first-come first-served, handed over directly on `release()`. Not
 * owned: any task may release it.
 *
 * @remarks Cancellation: an aborted or timed-out `acquire()` has not taken
 * the lock and left the queue; a granted one holds it even if its signal
 * aborts afterwards.
 * @example
 * ```ts
 * const lock = new Lock();
 * {
 *   await using held = await lock.hold();
 *   // one task at a time here
 * }
 * ```
 */
export class Lock {
  #locked = false;
  readonly #waiters = new WaiterList<Grant, Mode>();
  readonly #release = (): void => this.release();

  /**
   * Acquires the lock, waiting (without blocking the thread) while it is held.
   *
   * @returns `true` once acquired; `false` if `timeout` passed or `blocking: false` found it held.
   * @throws {RangeError} (rejects) for a negative timeout, or a timeout with `blocking: false`.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    try {
      return this.#acquire(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #acquire(options?: AcquireOptions): Promise<boolean> {
    return this.#take(ACQUIRE, options) as Promise<boolean>;
  }

  /**
   * Acquires and returns a guard for `await using`.
   *
   * @throws {TimeoutError} (rejects) when `timeout` passes, instead of returning `false`.
   */
  hold(options?: AcquireOptions): Promise<Guard> {
    try {
      return this.#take(HOLD, options) as Promise<Guard>;
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a validation error, thrown as a rejection
      return Promise.reject(error);
    }
  }

  #take(mode: Mode, options: AcquireOptions | undefined): Promise<Grant> {
    const timeout =
      options === undefined
        ? Infinity
        : checkAcquire(
            checkOptions(options, 'lock.acquire(options)', ASYNC_FORM).blocking,
            options.timeout,
          );
    // While it is unlocked nobody waits: release() hands it to the first waiter.
    if (!this.#locked) {
      this.#locked = true;
      return granted(mode, this.#release);
    }
    if (timeout === 0) return refused(mode);
    const signal = checkSignal(options?.signal);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return this.#waiters.park(mode, timeout, signal, timedOut);
  }

  /**
   * Releases the lock, handing it to the longest waiter if there is one.
   *
   * @throws {StateError} `ERR_LOCK_NOT_HELD` if it is not locked.
   */
  release(): void {
    if (!this.#locked) {
      throw new StateError('ERR_LOCK_NOT_HELD', 'Cannot release an unlocked Lock');
    }
    const next = this.#waiters.first();
    if (next === undefined) this.#locked = false;
    else this.#waiters.grant(next, grantFor(next.data, this.#release));
  }

  /** Whether the lock is held. */
  locked(): boolean {
    return this.#locked;
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    const waiters = this.#waiters.size;
    return `<Lock [${this.#locked ? 'locked' : 'unlocked'}${waiters > 0 ? `, waiters:${waiters}` : ''}]>`;
  }
}

inThreadOnly(Lock, 'weft/asyncio', 'across threads, use Lock from weft/threading');
