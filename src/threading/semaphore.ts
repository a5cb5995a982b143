import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { StateError } from '../internal/errors.js';
import { adopted, adopting, allocate, attach, Tag } from '../internal/layout.js';
import { checkAcquire, checkInt, checkSignal } from '../internal/validate.js';
import { deadlineOf, remaining, waitAsync, waitSync } from '../internal/wait.js';
import type { AcquireOptions, AcquireSyncOptions, Guard } from './guard.js';
import { holdAsync, holdSync, RESOLVED_FALSE, RESOLVED_TRUE } from './guard.js';

// Layout: [TAG, value, waiters, bound]. Waiters sleep on `value` while it is
// 0; release adds to `value` first, then wakes as many as it added if anyone
// announced itself in `waiters`. A waiter announces itself before its final
// check of `value`, so a release either sees it or it sees the release.
const WORDS = 4;
const VALUE = 1;
const WAITERS = 2;
const BOUND = 3;
const MAX = 2 ** 31 - 1;

/**
 * A counter of permits shared across threads: `acquire` takes one, waiting
 * while there are none; `release(n)` returns n. Not owned: any thread may
 * release (Python's `threading.Semaphore`).
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
  constructor(value = 1) {
    const i32 = adopted();
    if (i32 !== undefined) {
      this.#i32 = i32;
      return;
    }
    checkInt(value, 'value', 0, MAX);
    this.#i32 = allocate(Tag.Semaphore, WORDS);
    this.#i32[VALUE] = value;
    this.#i32[BOUND] = this.bounded ? value : -1;
  }

  /** Whether release past the initial value throws (BoundedSemaphore). */
  protected get bounded(): boolean {
    return false;
  }

  /** @internal */
  static fromShared(buffer: unknown): Semaphore {
    const i32 = attach(buffer, Tag.Semaphore, WORDS, 'Semaphore');
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

  #tryTake(): boolean {
    const i32 = this.#i32;
    for (let v = Atomics.load(i32, VALUE); v > 0;) {
      const seen = Atomics.compareExchange(i32, VALUE, v, v - 1);
      if (seen === v) return true;
      v = seen;
    }
    return false;
  }

  /**
   * Takes a permit without blocking the event loop.
   *
   * @returns `true` once taken; `false` on timeout.
   * @throws {RangeError} negative timeout, or timeout with `blocking: false`.
   * @remarks Cancellation: an aborted acquire takes no permit.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout =
      options === undefined ? Infinity : checkAcquire(options.blocking, options.timeout);
    const signal = checkSignal(options?.signal);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#tryTake()) return RESOLVED_TRUE;
    if (timeout === 0) return RESOLVED_FALSE;
    return this.#acquireAsync(timeout, signal);
  }

  async #acquireAsync(timeout: number, signal: AbortSignal | undefined): Promise<boolean> {
    const i32 = this.#i32;
    const deadline = deadlineOf(timeout);
    for (;;) {
      Atomics.add(i32, WAITERS, 1);
      try {
        if (this.#tryTake()) return true;
        const left = remaining(deadline);
        if (left <= 0) return false;
        await waitAsync(i32, VALUE, 0, left, signal);
      } finally {
        Atomics.sub(i32, WAITERS, 1);
      }
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
      options === undefined ? Infinity : checkAcquire(options.blocking, options.timeout);
    if (this.#tryTake()) return true;
    if (timeout === 0) return false;
    const i32 = this.#i32;
    const deadline = deadlineOf(timeout);
    Atomics.add(i32, WAITERS, 1);
    try {
      for (;;) {
        if (this.#tryTake()) return true;
        const left = remaining(deadline);
        if (left <= 0) return false;
        waitSync(i32, VALUE, 0, left);
      }
    } finally {
      Atomics.sub(i32, WAITERS, 1);
    }
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
    const bound = i32[BOUND]!;
    if (bound >= 0) {
      for (let v = Atomics.load(i32, VALUE); ;) {
        if (v + n > bound) {
          throw new StateError(
            'ERR_SEMAPHORE_OVERRELEASED',
            'BoundedSemaphore released too many times',
          );
        }
        const seen = Atomics.compareExchange(i32, VALUE, v, v + n);
        if (seen === v) break;
        v = seen;
      }
    } else {
      Atomics.add(i32, VALUE, n);
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
