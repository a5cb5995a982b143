import { rejected } from '../internal/reject.js';
import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { StateError, outOfRangeError } from '../internal/errors.js';
import { adopted, adopting, allocate, attach, Tag } from '../internal/layout.js';
import {
  ASYNC_FORM,
  checkAcquire,
  checkInt,
  checkOptions,
  checkSignal,
  SYNC_FORM,
} from '../internal/validate.js';
import {
  abortedRejection,
  deadlineOf,
  PARK_DEADLINE,
  PARK_OK,
  park,
  runAsync,
  runSync,
} from '../internal/blocking.js';
import type { Protocol, Woken } from '../internal/blocking.js';
import type { AcquireOptions, AcquireSyncOptions, Guard } from './guard.js';
import { holdAsync, holdSync, RESOLVED_FALSE, RESOLVED_TRUE } from './guard.js';
import { threadId } from 'node:worker_threads';
import { lockSync, SLICE, unlock } from '../internal/futex.js';
import type { Recover } from '../internal/futex.js';
import { isKnownDead, wasKilled } from './registry.js';

// Layout: [TAG, value, waiters, bound, mutex, capacity, journal, jValue,
// jEntry, jTid, jCount, then `capacity` holder entries (tid + 1, count), then
// a shadow of the entries' counts].
//
// Waiters sleep on `value` while it is 0; release adds to `value`, then wakes
// as many as it added if anyone announced itself in `waiters`. A waiter
// announces itself before its final check of `value`, so a release either
// sees it or it sees the release; it also wakes every SLICE ms to take back
// permits of holders weft killed.
//
// Every change of `value` and of the holder entries happens under `mutex` (a
// futex naming its holder, taken over from a dead one) and is journaled
// first: `journal` is 1 with the one entry's old words, or 2 with every
// count copied to the shadow. A thread that takes the mutex and finds a
// journal rolls it back, so a thread killed mid-change leaves no trace.
const VALUE = 1;
const WAITERS = 2;
const BOUND = 3;
const MUTEX = 4;
const CAPACITY = 5;
const JOURNAL = 6;
const J_VALUE = 7;
const J_ENTRY = 8;
const J_TID = 9;
const J_COUNT = 10;
const HEADER = 11;
const MAX = 2 ** 31 - 1;
const ME = threadId + 1;
const MUTEX_RECOVER: Recover = { dead: isKnownDead };

/** Options of a {@link Semaphore}. */
export interface SemaphoreOptions {
  /**
   * Most threads holding permits at once (each holder takes an entry, so
   * that permits of a thread weft kills come back). @default 64
   */
  readonly maxHolders?: number;
}

/**
 * A counter of permits shared across threads: `acquire` takes one, waiting
 * while there are none; `release(n)` returns n. Not owned: any thread may
 * release (Python's `threading.Semaphore`).
 *
 * @remarks Holder death: the semaphore counts, per thread, the permits it
 * acquired and has not released. A release by a thread holding fewer permits
 * than it returns is credited to the other holders, in table order (one
 * thread releasing for another). When weft kills a thread (a pool's task
 * timeout or `terminate()`, out of memory) its uncredited permits come back,
 * within ~100 ms of a waiter looking (never past a BoundedSemaphore's bound).
 * A thread that ends on its own keeps its permits taken, as in Python.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3);
 * {
 *   await using _ = await slots.hold(); // at most 3 here at once
 * }
 * ```
 */
export class Semaphore implements Shareable {
  readonly #i32: Int32Array;

  /**
   * @param value - Initial permits, an integer >= 0. @default 1
   * @throws {RangeError} when `value` is negative.
   */
  constructor(value = 1, options: SemaphoreOptions = {}) {
    const i32 = adopted();
    if (i32 !== undefined) {
      this.#i32 = i32;
      return;
    }
    checkInt(value, 'value', 0, MAX);
    const capacity = checkInt(options.maxHolders ?? 64, 'maxHolders', 1, 1 << 16);
    this.#i32 = allocate(Tag.Semaphore, HEADER + 3 * capacity);
    this.#i32[VALUE] = value;
    this.#i32[BOUND] = this.bounded ? value : -1;
    this.#i32[CAPACITY] = capacity;
  }

  /** Whether release past the initial value throws (BoundedSemaphore). */
  protected get bounded(): boolean {
    return false;
  }

  /** @internal */
  static fromShared(buffer: unknown): Semaphore {
    const i32 = attach(buffer, Tag.Semaphore, HEADER, 'Semaphore');
    return adopting(i32, () => (i32[BOUND]! >= 0 ? new BoundedSemaphore() : new Semaphore()));
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.Semaphore', state: this.#i32.buffer };
  }

  /** Permits available right now. */
  get value(): number {
    return Atomics.load(this.#i32, VALUE);
  }

  // Under the mutex: undo what a thread killed mid-change left.
  #lock(): void {
    const i32 = this.#i32;
    lockSync(i32, MUTEX, Infinity, MUTEX_RECOVER);
    const journal = i32[JOURNAL]!;
    if (journal === 0) return;
    i32[VALUE] = i32[J_VALUE]!;
    if (journal === 1) {
      const at = i32[J_ENTRY]!;
      i32[at] = i32[J_TID]!;
      i32[at + 1] = i32[J_COUNT]!;
    } else {
      const capacity = i32[CAPACITY]!;
      for (let e = 0; e < capacity; e++) i32[HEADER + 2 * e + 1] = i32[this.#shadow + e]!;
    }
    Atomics.store(i32, JOURNAL, 0);
  }

  get #shadow(): number {
    return HEADER + 2 * this.#i32[CAPACITY]!;
  }

  #journalEntry(at: number): void {
    const i32 = this.#i32;
    i32[J_VALUE] = i32[VALUE]!;
    i32[J_ENTRY] = at;
    i32[J_TID] = i32[at]!;
    i32[J_COUNT] = i32[at + 1]!;
    Atomics.store(i32, JOURNAL, 1);
  }

  #journalAll(): void {
    const i32 = this.#i32;
    const capacity = i32[CAPACITY]!;
    const shadow = this.#shadow;
    i32[J_VALUE] = i32[VALUE]!;
    for (let e = 0; e < capacity; e++) i32[shadow + e] = i32[HEADER + 2 * e + 1]!;
    Atomics.store(i32, JOURNAL, 2);
  }

  #mine = -1;

  // This thread's entry (claiming a free one if `claim`), or -1.
  #entry(claim: boolean): number {
    const i32 = this.#i32;
    if (this.#mine >= 0 && i32[this.#mine] === ME) return this.#mine;
    const end = HEADER + 2 * i32[CAPACITY]!;
    let free = -1;
    for (let at = HEADER; at < end; at += 2) {
      if (i32[at] === ME) return (this.#mine = at);
      if (free < 0 && i32[at + 1] === 0) free = at;
    }
    return claim ? free : -1;
  }

  // Takes back entries of dead holders; permits of killed ones return.
  #reclaim(): void {
    const i32 = this.#i32;
    const end = HEADER + 2 * i32[CAPACITY]!;
    let dead = false;
    for (let at = HEADER; at < end && !dead; at += 2) {
      dead = i32[at + 1]! > 0 && isKnownDead(i32[at]! - 1);
    }
    if (!dead) return;
    this.#journalAll();
    const bound = i32[BOUND]!;
    for (let at = HEADER; at < end; at += 2) {
      const tid = i32[at]! - 1;
      // An entry is free once its count is 0 (its tid is then only a hint).
      if (i32[at + 1] === 0 || !isKnownDead(tid)) continue;
      if (wasKilled(tid)) {
        const value = i32[VALUE]!;
        const back = Math.min(i32[at + 1]!, (bound >= 0 ? bound : MAX) - value);
        Atomics.store(i32, VALUE, value + back);
      }
      i32[at + 1] = 0;
    }
    Atomics.store(i32, JOURNAL, 0);
    if (Atomics.load(i32, WAITERS) > 0) Atomics.notify(i32, VALUE);
  }

  #tryTake(): boolean {
    const i32 = this.#i32;
    this.#lock();
    try {
      if (i32[VALUE] === 0) this.#reclaim();
      if (i32[VALUE] === 0) return false;
      let at = this.#entry(true);
      if (at < 0) {
        this.#reclaim();
        at = this.#entry(true);
        if (at < 0) {
          throw new StateError(
            'ERR_TOO_MANY_HOLDERS',
            `More than ${i32[CAPACITY]} threads hold permits of one Semaphore (see maxHolders)`,
          );
        }
      }
      this.#journalEntry(at);
      Atomics.store(i32, VALUE, i32[VALUE]! - 1);
      i32[at] = ME;
      i32[at + 1]!++;
      this.#mine = at;
      Atomics.store(i32, JOURNAL, 0);
      return true;
    } finally {
      unlock(i32, MUTEX);
    }
  }

  /**
   * Takes a permit without blocking the event loop.
   *
   * @returns `true` once taken; `false` on timeout.
   * @throws {RangeError} (rejects) negative timeout, or timeout with `blocking: false`.
   * @remarks Cancellation: an aborted acquire takes no permit.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    try {
      return this.#acquire(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout =
      options === undefined
        ? Infinity
        : checkAcquire(
            checkOptions(options, 'semaphore.acquire(options)', ASYNC_FORM).blocking,
            options.timeout,
          );
    const signal = checkSignal(options?.signal);
    const aborted = abortedRejection(signal);
    if (aborted !== undefined) return aborted;
    if (this.#tryTake()) return RESOLVED_TRUE;
    if (timeout === 0) return RESOLVED_FALSE;
    return runAsync(this.#acquiring(deadlineOf(timeout)), signal);
  }

  // The slow path of both forms: announced in `waiters`, try, sleep on
  // `value` while it is 0, in slices (to take back permits of killed holders).
  *#acquiring(deadline: number): Protocol<boolean> {
    const i32 = this.#i32;
    Atomics.add(i32, WAITERS, 1);
    try {
      let woken: Woken = PARK_OK;
      for (;;) {
        if (this.#tryTake()) return true;
        if (woken === PARK_DEADLINE) return false;
        woken = yield park(i32, VALUE, 0, deadline, SLICE);
      }
    } finally {
      Atomics.sub(i32, WAITERS, 1);
    }
  }

  /**
   * Takes a permit, blocking the calling thread.
   *
   * @returns `true` once taken; `false` on timeout.
   * @remarks Blocking: stops this thread's event loop while it waits.
   */
  acquireSync(options?: AcquireSyncOptions): boolean {
    const timeout =
      options === undefined
        ? Infinity
        : checkAcquire(
            checkOptions(options, 'semaphore.acquireSync(options)', SYNC_FORM).blocking,
            options.timeout,
          );
    if (this.#tryTake()) return true;
    if (timeout === 0) return false;
    return runSync(this.#acquiring(deadlineOf(timeout)));
  }

  /**
   * Returns `n` permits and wakes up to `n` waiters.
   *
   * @param n - How many, an integer >= 1. @default 1
   * @throws {StateError} `ERR_SEMAPHORE_OVERRELEASED` (BoundedSemaphore) past the initial value.
   */
  release(n = 1): void {
    checkInt(n, 'n', 1, MAX);
    const i32 = this.#i32;
    this.#lock();
    try {
      const value = i32[VALUE]!;
      const bound = i32[BOUND]!;
      if (value + n > (bound >= 0 ? bound : MAX)) {
        if (bound >= 0) {
          throw new StateError(
            'ERR_SEMAPHORE_OVERRELEASED',
            'BoundedSemaphore released too many times',
          );
        }
        throw outOfRangeError(`Semaphore value would pass ${MAX}`);
      }
      const own = this.#entry(false);
      const mine = own < 0 ? 0 : i32[own + 1]!;
      if (mine >= n) {
        this.#journalEntry(own);
        i32[own + 1] = mine - n;
      } else {
        // Releasing for other holders: credit them, in table order.
        this.#journalAll();
        if (own >= 0) i32[own + 1] = 0;
        let rest = n - mine;
        const end = HEADER + 2 * i32[CAPACITY]!;
        for (let at = HEADER; at < end && rest > 0; at += 2) {
          const count = i32[at + 1]!;
          const credit = Math.min(count, rest);
          i32[at + 1] = count - credit;
          rest -= credit;
        }
      }
      Atomics.store(i32, VALUE, value + n);
      Atomics.store(i32, JOURNAL, 0);
    } finally {
      unlock(i32, MUTEX);
    }
    if (Atomics.load(i32, WAITERS) > 0) Atomics.notify(i32, VALUE, n);
  }

  /** Takes a permit and returns a guard for `await using`; throws `TimeoutError` on timeout. */
  hold(options?: AcquireOptions): Promise<Guard> {
    return holdAsync(this, options);
  }

  /** Takes a permit (blocking) and returns a guard for `using`; throws `TimeoutError` on timeout. */
  holdSync(options?: AcquireSyncOptions): Guard {
    return holdSync(this, options);
  }

  toString(): string {
    const bound = this.#i32[BOUND]!;
    return `<${this.constructor.name}: value=${this.value}${bound >= 0 ? `/${bound}` : ''}>`;
  }
}

/**
 * A {@link Semaphore} whose `release` throws past the initial value, catching
 * releases without a matching acquire (Python's `threading.BoundedSemaphore`).
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(2);
 * await pool.acquire();
 * pool.release();
 * try {
 *   pool.release(); // one more than was taken
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

registerShareable('weft.Semaphore', (state) => Semaphore.fromShared(state));
