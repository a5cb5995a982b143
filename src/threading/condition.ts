import { rejected } from '../internal/reject.js';
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
import {
  abortedRejection,
  deadlineOf,
  expired,
  PARK_DEADLINE,
  PARK_OK,
  park,
  runAsync,
  runSync,
} from '../internal/blocking.js';
import type { Protocol, Woken } from '../internal/blocking.js';
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
import { isKnownDead } from './registry.js';
import { threadId } from 'node:worker_threads';

// Layout: [TAG, capacity, ticket, high, then `capacity` waiter slots of
// SLOT words: state (FREE → WAITING → NOTIFIED → FREE), ticket, threadId].
// Each waiter owns a slot and sleeps on its state word alone, like CPython's
// per-waiter locks: notify(n) marks the n WAITING slots with the lowest
// tickets NOTIFIED and wakes exactly those, so no wake-up is lost to, or
// stolen by, another waiter. Slots change only under the condition's lock,
// and each change is one store (a waiter is published by storing WAITING
// last, removed by storing FREE), so a thread killed anywhere in between
// leaves nothing half-written: a slot whose thread has died is skipped by
// notify and reused by the next waiter. `high` bounds the slots ever used,
// so notify scans only those.
const HEADER = 4;
const CAPACITY = 1;
const TICKET = 2;
const HIGH = 3;
const SLOT = 3;
const TICKET_AT = 1;
const TID_AT = 2;
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
 * @remarks Waiter death: a waiter whose thread died (killed by weft, or
 * ended) is skipped by `notify(n)`, which wakes `n` live waiters, and its
 * slot is reused, so dead waiters never add up to `ERR_TOO_MANY_WAITERS`.
 * A waiter killed after it was notified takes that notification with it.
 * A holder of the lock that dies is handled by the lock (see Lock, RLock).
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
      this.#i32 = allocate(Tag.Condition, HEADER + SLOT * capacity);
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
    try {
      return this.#acquire(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #acquire(options?: AcquireOptions): Promise<boolean> {
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
    const high = i32[HIGH]!;
    let at = -1;
    // Notified waiters that have not re-taken the lock yet still hold slots;
    // a dead thread's slot is taken back.
    for (let slot = 0; slot < capacity && at < 0; slot++) {
      const word = HEADER + slot * SLOT;
      const state = Atomics.load(i32, word);
      if (state === FREE || (slot < high && isKnownDead(i32[word + TID_AT]!))) at = word;
    }
    if (at < 0) {
      throw new StateError(
        'ERR_TOO_MANY_WAITERS',
        `More than ${capacity} waiters on one Condition (see maxWaiters)`,
      );
    }
    const slot = (at - HEADER) / SLOT;
    if (slot >= high) i32[HIGH] = slot + 1;
    i32[at + TID_AT] = threadId;
    i32[at + TICKET_AT] = i32[TICKET] = (i32[TICKET]! + 1) | 0;
    Atomics.store(i32, at, WAITING);
    return at;
  }

  // Under the lock, after waking: was it notified? Frees the slot either way.
  #dequeue(word: number): boolean {
    return Atomics.exchange(this.#i32, word, FREE) === NOTIFIED;
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
    return abortedRejection(signal) ?? runAsync(this.#wait(deadlineOf(timeout)), signal);
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
    return runSync(this.#wait(deadlineOf(timeout)));
  }

  // Both forms: take a slot, release the lock, sleep on the slot until
  // notified (or the deadline), re-take the lock. An abort thrown in while
  // asleep still re-takes the lock first, and passes on a notification that
  // raced it.
  *#wait(deadline: number): Protocol<boolean> {
    const i32 = this.#i32;
    const word = this.#enqueue();
    const saved = this.#release();
    let aborted: { reason: unknown } | undefined;
    try {
      let woken: Woken = PARK_OK;
      while (Atomics.load(i32, word) === WAITING && woken !== PARK_DEADLINE) {
        woken = yield park(i32, word, WAITING, deadline);
      }
    } catch (reason) {
      aborted = { reason };
    }
    const lock = this.#lock;
    if (lock instanceof RLock) yield* lock._restoring(saved!);
    else yield* lock._restoring();
    const notified = this.#dequeue(word);
    if (aborted !== undefined) {
      if (notified) this.notify(1);
      throw aborted.reason;
    }
    return notified;
  }

  // Both forms of waitFor.
  *#waitFor<T>(predicate: () => T, deadline: number): Protocol<T> {
    let result = predicate();
    while (!result && !expired(deadline)) {
      this.#check('wait');
      yield* this.#wait(deadline);
      result = predicate();
    }
    return result;
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
    const timeout = checkTimeout(
      checkOptions(options, 'condition.waitFor(predicate, options)', WAIT_FORM).timeout,
    );
    const signal = checkSignal(options?.signal);
    return (
      abortedRejection(signal) ?? runAsync(this.#waitFor(predicate, deadlineOf(timeout)), signal)
    );
  }

  /** Like {@link Condition.waitFor}, blocking the calling thread. */
  waitForSync<T>(predicate: () => T, options?: WaitSyncOptions): T {
    if (typeof predicate !== 'function') {
      throw argTypeError(`Expected \`predicate\` to be a function, got ${describe(predicate)}`);
    }
    const timeout = checkTimeout(
      checkOptions(options, 'condition.waitForSync(predicate, options)', WAIT_SYNC_FORM).timeout,
    );
    return runSync(this.#waitFor(predicate, deadlineOf(timeout)));
  }

  /**
   * Wakes up to `n` waiters, first come first served. The caller must hold the lock.
   *
   * @throws {StateError} `ERR_CONDITION_NOT_OWNED` when the lock is not held.
   */
  notify(n = 1): void {
    checkInt(n, 'n', 0);
    this.#check('notify');
    if (n === 0) return;
    const i32 = this.#i32;
    const high = i32[HIGH]!;
    const waiting: number[] = [];
    for (let word = HEADER; word < HEADER + high * SLOT; word += SLOT) {
      if (Atomics.load(i32, word) !== WAITING) continue;
      // A dead waiter would swallow the wake-up: skip it and free its slot.
      if (isKnownDead(i32[word + TID_AT]!)) Atomics.store(i32, word, FREE);
      else waiting.push(word);
    }
    if (waiting.length > n) {
      // First come, first served: the lowest tickets (in wrapping order).
      const last = i32[TICKET]!;
      const age = (word: number): number => (last - i32[word + TICKET_AT]!) | 0;
      waiting.sort((a, b) => age(b) - age(a));
      waiting.length = n;
    }
    for (const word of waiting) {
      Atomics.store(i32, word, NOTIFIED);
      Atomics.notify(i32, word);
    }
  }

  /** Wakes every waiter. The caller must hold the lock. */
  notifyAll(): void {
    this.notify(this.#i32[CAPACITY]);
  }

  #waiting(): number {
    const i32 = this.#i32;
    let count = 0;
    for (let word = HEADER; word < HEADER + i32[HIGH]! * SLOT; word += SLOT) {
      if (Atomics.load(i32, word) === WAITING) count++;
    }
    return count;
  }

  toString(): string {
    return `<Condition(${String(this.#lock)}, waiters=${this.#waiting()})>`;
  }
}

registerShareable('weft.Condition', (state) => Condition.fromShared(state));
