import { rejected } from '../internal/reject.js';
import { argTypeError, describe, StateError } from '../internal/errors.js';
import type { Guard } from '../internal/guard.js';
import {
  checkInt,
  checkOptions,
  checkSignal,
  checkTimeout,
  WAIT_FORM,
} from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import { now } from '../internal/wait.js';
import { timedOutFalse } from './grant.js';
import { Lock } from './lock.js';
import type { AcquireOptions, WaitOptions } from './options.js';
import { inThreadOnly } from '../internal/classes.js';

/**
 * A condition variable for the tasks of one thread (Python's
 * `asyncio.Condition`): tasks holding its lock `wait` until another task
 * `notify`s them.
 *
 * @remarks Cancellation: an aborted or timed-out `wait()` re-acquires the
 * lock before it rejects or returns `false`, as Python does, so the caller
 * always leaves `wait()` holding the lock; a notification is never lost to
 * an abort (once notified, a waiter returns `true`).
 * @example
 * ```ts
 * const cond = new Condition();
 * const items: number[] = [];
 * const consumer = (async () => {
 *   await using _ = await cond.hold();
 *   await cond.waitFor(() => items.length > 0);
 *   return items.shift();
 * })();
 * // producer
 * {
 *   await using _ = await cond.hold();
 *   items.push(1);
 *   cond.notify();
 * }
 * console.log(await consumer); // 1
 * ```
 */
export class Condition {
  readonly #lock: Lock;
  readonly #waiters = new WaiterList<boolean>();

  /**
   * @param lock - The lock to use. @default a new Lock (asyncio has no RLock)
   * @throws {TypeError} when `lock` is not an asyncio Lock.
   */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw argTypeError(`Expected \`lock\` to be a weft/asyncio Lock, got ${describe(lock)}`);
    }
    this.#lock = lock ?? new Lock();
  }

  /** The underlying lock. */
  get lock(): Lock {
    return this.#lock;
  }

  /** Acquires the underlying lock. */
  acquire(options?: AcquireOptions): Promise<boolean> {
    try {
      return this.#acquire(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #acquire(options?: AcquireOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  /** Releases the underlying lock. */
  release(): void {
    this.#lock.release();
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Acquires the lock and returns a guard for `await using`.
   *
   * @throws {TimeoutError} (rejects) when `timeout` passes.
   */
  hold(options?: AcquireOptions): Promise<Guard> {
    return this.#lock.hold(options);
  }

  #check(what: string): void {
    if (!this.#lock.locked()) {
      throw new StateError(
        'ERR_CONDITION_NOT_OWNED',
        `Cannot ${what} on a Condition whose lock is not held`,
      );
    }
  }

  /**
   * Releases the lock, waits until notified (or timeout), and re-acquires
   * the lock before returning.
   *
   * @returns `true` if notified, `false` on timeout.
   * @throws {StateError} `ERR_CONDITION_NOT_OWNED` (rejects) when the lock is not held.
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    checkOptions(options, 'condition.wait(options)', WAIT_FORM);
    const timeout = checkTimeout(options?.timeout);
    const signal = checkSignal(options?.signal);
    this.#check('wait');
    signal?.throwIfAborted();
    const waiting = this.#waiters.park(undefined, timeout, signal, timedOutFalse);
    this.#lock.release();
    let notified: boolean;
    try {
      notified = await waiting;
    } catch (reason) {
      await this.#lock.acquire();
      throw reason;
    }
    await this.#lock.acquire();
    return notified;
  }

  /**
   * Waits until `predicate()` is truthy, re-checking after each notification.
   *
   * @returns The predicate's last value (falsy on timeout).
   */
  async waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    if (typeof predicate !== 'function') {
      throw argTypeError(`Expected \`predicate\` to be a function, got ${describe(predicate)}`);
    }
    checkOptions(options, 'condition.waitFor(predicate, options)', WAIT_FORM);
    const timeout = checkTimeout(options?.timeout);
    const signal = checkSignal(options?.signal);
    const deadline = now() + timeout;
    let result = predicate();
    while (!result) {
      const left = deadline - now();
      if (left <= 0) break;
      await this.wait(signal === undefined ? { timeout: left } : { timeout: left, signal });
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters, first come first served. The caller must hold the lock.
   *
   * @throws {StateError} `ERR_CONDITION_NOT_OWNED` when the lock is not held.
   */
  notify(n = 1): void {
    checkInt(n, 'n', 0);
    this.#check('notify');
    const waiters = this.#waiters;
    for (; n > 0; n--) {
      const w = waiters.first();
      if (w === undefined) break;
      waiters.grant(w, true);
    }
  }

  /** Wakes every waiter. The caller must hold the lock. */
  notifyAll(): void {
    this.#check('notify');
    this.#waiters.grantAll(true);
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    return `<Condition ${String(this.#lock)} waiters=${this.#waiters.size}>`;
  }
}

inThreadOnly(Condition, 'weft/asyncio', 'across threads, use Condition from weft/threading');
