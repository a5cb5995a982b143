import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { argTypeError, describe, StateError } from '../internal/errors.js';
import { adopted, adopting, allocate, attach, Tag } from '../internal/layout.js';
import {
  checkInt,
  checkOptions,
  checkSignal,
  checkTimeout,
  WAIT_FORM,
  WAIT_SYNC_FORM,
} from '../internal/validate.js';
import { deadlineOf, remaining, waitAsync, waitSync } from '../internal/wait.js';
import type {
  AcquireOptions,
  AcquireSyncOptions,
  Guard,
  WaitOptions,
  WaitSyncOptions,
} from './guard.js';
import { holdAsync, holdSync } from './guard.js';
import { Lock } from './lock.js';
import type { RLockSaved } from './rlock.js';
import { RLock } from './rlock.js';

// Layout: [TAG, capacity, length, ring[capacity], slot[capacity]].
// Each waiter owns a slot word (FREE → WAITING → NOTIFIED) and sleeps on it
// alone, like CPython's per-waiter locks: notify(n) marks the first n slots of
// the FIFO ring NOTIFIED and wakes exactly those, so no wake-up is lost to,
// or stolen by, another waiter. The ring and slot allocation change only under
// the condition's lock, which every caller holds.
const HEADER = 3;
const CAPACITY = 1;
const LENGTH = 2;
const FREE = 0;
const WAITING = 1;
const NOTIFIED = 2;

/** Options of a {@link Condition}. */
export interface ConditionOptions {
  /** Most threads waiting at once. @default 512 */
  readonly maxWaiters?: number;
}

/**
 * A condition variable shared across threads (Python's `threading.Condition`):
 * threads holding its lock `wait` until another `notify`s them.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * {
 *   await using _ = await cond.hold();
 *   await cond.waitFor(() => items.length > 0);
 * }
 * // elsewhere, holding the lock: cond.notify();
 * ```
 */
export class Condition implements Shareable {
  readonly #i32: Int32Array;
  readonly #lock: Lock | RLock;

  /**
   * @param lock - The lock to use: a `Lock` or an `RLock`. @default a new RLock, as in Python
   */
  constructor(lock?: Lock | RLock, options?: ConditionOptions) {
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw argTypeError(`Expected \`lock\` to be a Lock or an RLock, got ${describe(lock)}`);
    }
    const i32 = adopted();
    if (i32 !== undefined) {
      this.#i32 = i32;
    } else {
      const { maxWaiters = 512 } = checkOptions(
        options,
        'new Condition(lock, options)',
        '{ maxWaiters: 1024 }',
      );
      const capacity = checkInt(maxWaiters, 'maxWaiters', 1, 1 << 20);
      this.#i32 = allocate(Tag.Condition, HEADER + 2 * capacity);
      this.#i32[CAPACITY] = capacity;
    }
    this.#lock = lock ?? new RLock();
  }

  /** @internal */
  static fromShared(state: unknown): Condition {
    const { buffer, lock } = state as { buffer: unknown; lock: Lock | RLock };
    return adopting(attach(buffer, Tag.Condition, HEADER, 'Condition'), () => new Condition(lock));
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.Condition', state: { buffer: this.#i32.buffer, lock: this.#lock } };
  }

  /** The underlying lock. */
  get lock(): Lock | RLock {
    return this.#lock;
  }

  /** Acquires the underlying lock (async). */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  /** Acquires the underlying lock, blocking the thread. */
  acquireSync(options?: AcquireSyncOptions): boolean {
    return this.#lock.acquireSync(options);
  }

  /** Releases the underlying lock. */
  release(): void {
    this.#lock.release();
  }

  /** Acquires the lock and returns a guard for `await using`. */
  hold(options?: AcquireOptions): Promise<Guard> {
    return holdAsync(this, options);
  }

  /** Acquires the lock (blocking) and returns a guard for `using`. */
  holdSync(options?: AcquireSyncOptions): Guard {
    return holdSync(this, options);
  }

  #owned(): boolean {
    const lock = this.#lock;
    return lock instanceof RLock ? lock.isOwned() : lock.locked();
  }

  #check(what: string): void {
    if (!this.#owned()) {
      throw new StateError(
        'ERR_CONDITION_NOT_OWNED',
        `Cannot ${what} on a Condition whose lock is not held`,
      );
    }
  }

  #enqueue(): number {
    const i32 = this.#i32;
    const capacity = i32[CAPACITY]!;
    const length = i32[LENGTH]!;
    if (length >= capacity) {
      throw new StateError(
        'ERR_TOO_MANY_WAITERS',
        `More than ${capacity} waiters on one Condition (see maxWaiters)`,
      );
    }
    const slots = HEADER + capacity;
    let slot = 0;
    // Notified waiters that have not re-taken the lock yet still hold slots.
    while (slot < capacity && i32[slots + slot] !== FREE) slot++;
    if (slot === capacity) {
      throw new StateError(
        'ERR_TOO_MANY_WAITERS',
        `More than ${capacity} waiters on one Condition (see maxWaiters)`,
      );
    }
    Atomics.store(i32, slots + slot, WAITING);
    i32[HEADER + length] = slot;
    i32[LENGTH] = length + 1;
    return slots + slot;
  }

  // Under the lock, after waking: was it notified? Frees the slot either way;
  // a waiter that was not notified leaves the ring.
  #dequeue(word: number): boolean {
    const i32 = this.#i32;
    const notified = Atomics.load(i32, word) === NOTIFIED;
    if (!notified) {
      const slot = word - HEADER - i32[CAPACITY]!;
      const length = i32[LENGTH]!;
      let i = 0;
      while (i < length && i32[HEADER + i] !== slot) i++;
      for (; i < length - 1; i++) i32[HEADER + i] = i32[HEADER + i + 1]!;
      i32[LENGTH] = length - 1;
    }
    Atomics.store(i32, word, FREE);
    return notified;
  }

  #release(): RLockSaved | undefined {
    const lock = this.#lock;
    if (lock instanceof RLock) return lock._releaseSave();
    lock.release();
    return undefined;
  }

  /**
   * Releases the lock, waits until notified (or timeout), and re-acquires the
   * lock before returning, without blocking the event loop.
   *
   * @returns `true` if notified, `false` on timeout.
   * @throws {StateError} `ERR_CONDITION_NOT_OWNED` when the lock is not held.
   * @remarks Cancellation: on abort the lock is re-acquired, then the promise
   * rejects with `signal.reason`; a notification that raced the abort is
   * passed on to the next waiter, never lost.
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const timeout = checkTimeout(
      checkOptions(options, 'condition.wait(options)', WAIT_FORM).timeout,
    );
    const signal = checkSignal(options?.signal);
    this.#check('wait');
    signal?.throwIfAborted();
    const word = this.#enqueue();
    const saved = this.#release();
    let aborted: { reason: unknown } | undefined;
    try {
      const deadline = deadlineOf(timeout);
      while (Atomics.load(this.#i32, word) === WAITING) {
        const left = remaining(deadline);
        if (left <= 0) break;
        await waitAsync(this.#i32, word, WAITING, left, signal);
      }
    } catch (reason) {
      aborted = { reason };
    }
    const lock = this.#lock;
    if (lock instanceof RLock) await lock._acquireRestore(saved!);
    else await lock.acquire();
    const notified = this.#dequeue(word);
    if (aborted !== undefined) {
      if (notified) this.notify(1);
      throw aborted.reason;
    }
    return notified;
  }

  /**
   * Like {@link Condition.wait}, blocking the calling thread.
   *
   * @returns `true` if notified, `false` on timeout.
   * @remarks Blocking: stops this thread's event loop while it waits.
   */
  waitSync(options?: WaitSyncOptions): boolean {
    const timeout = checkTimeout(
      checkOptions(options, 'condition.waitSync(options)', WAIT_SYNC_FORM).timeout,
    );
    this.#check('wait');
    const word = this.#enqueue();
    const saved = this.#release();
    const deadline = deadlineOf(timeout);
    while (Atomics.load(this.#i32, word) === WAITING) {
      const left = remaining(deadline);
      if (left <= 0) break;
      waitSync(this.#i32, word, WAITING, left);
    }
    const lock = this.#lock;
    if (lock instanceof RLock) lock._acquireRestoreSync(saved!);
    else lock.acquireSync();
    return this.#dequeue(word);
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
    const deadline = deadlineOf(
      checkTimeout(
        checkOptions(options, 'condition.waitFor(predicate, options)', WAIT_FORM).timeout,
      ),
    );
    let result = predicate();
    while (!result) {
      const left = remaining(deadline);
      if (left <= 0) break;
      await this.wait({ timeout: left, ...(options?.signal ? { signal: options.signal } : {}) });
      result = predicate();
    }
    return result;
  }

  /** Like {@link Condition.waitFor}, blocking the calling thread. */
  waitForSync<T>(predicate: () => T, options?: WaitSyncOptions): T {
    if (typeof predicate !== 'function') {
      throw argTypeError(`Expected \`predicate\` to be a function, got ${describe(predicate)}`);
    }
    const deadline = deadlineOf(
      checkTimeout(
        checkOptions(options, 'condition.waitForSync(predicate, options)', WAIT_SYNC_FORM).timeout,
      ),
    );
    let result = predicate();
    while (!result) {
      const left = remaining(deadline);
      if (left <= 0) break;
      this.waitSync({ timeout: left });
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
    const i32 = this.#i32;
    const length = i32[LENGTH]!;
    const count = Math.min(n, length);
    if (count === 0) return;
    const slots = HEADER + i32[CAPACITY]!;
    for (let i = 0; i < count; i++) {
      const word = slots + i32[HEADER + i]!;
      Atomics.store(i32, word, NOTIFIED);
      Atomics.notify(i32, word);
    }
    i32.copyWithin(HEADER, HEADER + count, HEADER + length);
    i32[LENGTH] = length - count;
  }

  /** Wakes every waiter. The caller must hold the lock. */
  notifyAll(): void {
    this.notify(this.#i32[CAPACITY]);
  }

  toString(): string {
    return `<Condition(${String(this.#lock)}, waiters=${this.#i32[LENGTH]})>`;
  }
}

registerShareable('weft.Condition', (state) => Condition.fromShared(state));
