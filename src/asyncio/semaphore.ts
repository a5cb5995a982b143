import { rejected } from '../internal/reject.js';
import { StateError } from '../internal/errors.js';
import type { Guard } from '../internal/guard.js';
import {
  ASYNC_FORM,
  checkAcquire,
  checkInt,
  checkOptions,
  checkSignal,
} from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import { ACQUIRE, granted, grantFor, HOLD, refused, RESOLVED_TRUE, timedOut } from './grant.js';
import type { Grant, Mode } from './grant.js';
import type { AcquireOptions } from './options.js';
import { inThreadOnly } from '../internal/classes.js';

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * A counter of permits for the tasks of one thread (Python's
 * `asyncio.Semaphore`): `acquire` takes one, waiting while there are none;
 * `release(n)` returns n. Fair: permits go to waiters first-come
 * first-served. Not owned: any task may release.
 *
 * @remarks Cancellation: an aborted or timed-out `acquire()` holds no
 * permit; a permit handed to a waiter is never lost to a later abort.
 * @example
 * ```ts
 * const slots = new Semaphore(16);
 * await Promise.all(urls.map(async (url) => {
 *   await using _ = await slots.hold(); // at most 16 fetches at once
 *   return fetch(url);
 * }));
 * ```
 */
export class Semaphore {
  #value: number;
  readonly #bound: number;
  readonly #waiters = new WaiterList<Grant, Mode>();
  readonly #release = (): void => this.release();

  /**
   * @param value - Initial permits, an integer >= 0. @default 1
   * @throws {RangeError} when `value` is negative.
   */
  constructor(value = 1) {
    this.#value = checkInt(value, 'value', 0, MAX);
    this.#bound = this.bounded ? value : -1;
  }

  /** Whether release past the initial value throws (BoundedSemaphore). */
  protected get bounded(): boolean {
    return false;
  }

  /** Permits available right now. */
  get value(): number {
    return this.#value;
  }

  /** Whether `acquire()` would wait (Python's `locked()`). */
  locked(): boolean {
    return this.#value === 0;
  }

  /**
   * Takes a permit, waiting (without blocking the thread) while there is none.
   *
   * @returns `true` once taken; `false` on timeout or when `blocking: false` found none.
   * @throws {RangeError} (rejects) negative timeout, or timeout with `blocking: false`.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    try {
      return this.#acquire(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #acquire(options?: AcquireOptions): Promise<boolean> {
    // The hot path: while permits are left nobody waits (release() hands them over first).
    if (options === undefined) {
      if (this.#value > 0) {
        this.#value--;
        return RESOLVED_TRUE;
      }
      return this.#waiters.park(ACQUIRE) as Promise<boolean>;
    }
    return this.#take(ACQUIRE, options) as Promise<boolean>;
  }

  /**
   * Takes a permit and returns a guard for `await using`.
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
            checkOptions(options, 'semaphore.acquire(options)', ASYNC_FORM).blocking,
            options.timeout,
          );
    if (this.#value > 0) {
      this.#value--;
      return granted(mode, this.#release);
    }
    if (timeout === 0) return refused(mode);
    const signal = checkSignal(options?.signal);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return this.#waiters.park(mode, timeout, signal, timedOut);
  }

  /**
   * Returns `n` permits: each goes to the longest waiter, if any, else back to the count.
   *
   * @param n - How many, an integer >= 1. @default 1
   * @throws {StateError} `ERR_SEMAPHORE_OVERRELEASED` (BoundedSemaphore) past the initial value.
   */
  release(n = 1): void {
    if (n !== 1) checkInt(n, 'n', 1, MAX);
    if (this.#bound >= 0 && this.#value + n > this.#bound) {
      throw new StateError(
        'ERR_SEMAPHORE_OVERRELEASED',
        'BoundedSemaphore released too many times',
      );
    }
    const waiters = this.#waiters;
    for (; n > 0; n--) {
      const next = waiters.first();
      if (next === undefined) break;
      waiters.grant(next, grantFor(next.data, this.#release));
    }
    this.#value += n;
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    const waiters = this.#waiters.size;
    const bound = this.#bound >= 0 ? `/${this.#bound}` : '';
    return `<${this.constructor.name} [value=${this.#value}${bound}${waiters > 0 ? `, waiters:${waiters}` : ''}]>`;
  }
}

/**
 * A {@link Semaphore} whose `release` throws past the initial value
 * (Python's `asyncio.BoundedSemaphore`).
 *
 * @example
 * ```ts
 * const sem = new BoundedSemaphore(2);
 * await sem.acquire();
 * sem.release();
 * try {
 *   sem.release(); // one more than was taken
 * } catch (e) {
 *   console.log((e as StateError).code); // ERR_SEMAPHORE_OVERRELEASED
 * }
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  protected override get bounded(): boolean {
    return true;
  }
}

inThreadOnly(
  Semaphore,
  'weft/asyncio',
  'across threads, use Semaphore or BoundedSemaphore from weft/threading',
);
