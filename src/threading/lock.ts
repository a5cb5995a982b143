import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { StateError } from '../internal/errors.js';
import { lockAsync, lockSync, tryLock, unlock, UNLOCKED } from '../internal/futex.js';
import { adopted, adopting, allocate, attach, Tag } from '../internal/layout.js';
import {
  ASYNC_FORM,
  checkAcquire,
  checkOptions,
  checkSignal,
  SYNC_FORM,
} from '../internal/validate.js';
import type { AcquireOptions, AcquireSyncOptions, Guard } from './guard.js';
import { holdAsync, holdSync, RESOLVED_FALSE, RESOLVED_TRUE } from './guard.js';

// Layout: [TAG, state] — state is a 3-state futex word (internal/futex.ts).
const WORDS = 2;
const STATE = 1;

/**
 * A primitive lock shared across threads: not owned, so any thread may release
 * it (Python's `threading.Lock`). Prefer the guard forms, which release even on
 * throw and throw `TimeoutError` instead of returning `false`.
 *
 * @remarks Thread safety: pass it to threads (Thread args, queue items, task
 * arguments); every copy works on the same lock.
 * @example
 * ```ts
 * const lock = new Lock();
 * {
 *   await using held = await lock.hold();
 *   // critical section
 * }
 * if (lock.acquireSync({ timeout: 100 })) { try { } finally { lock.release(); } }
 * ```
 */
export class Lock implements Shareable {
  readonly #i32: Int32Array;

  constructor() {
    this.#i32 = adopted() ?? allocate(Tag.Lock, WORDS);
  }

  /** @internal Rebuilds a lock around shared memory (the codec's reviver). */
  static fromShared(buffer: unknown): Lock {
    return adopting(attach(buffer, Tag.Lock, WORDS, 'Lock'), () => new Lock());
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.Lock', state: this.#i32.buffer };
  }

  /** @internal The underlying words, for primitives built on this lock (Condition). */
  get _i32(): Int32Array {
    return this.#i32;
  }

  /**
   * Acquires the lock without blocking the event loop.
   *
   * @returns `true` once acquired; `false` if `timeout` passed or `blocking: false` found it held.
   * @throws {RangeError} for a negative timeout (`ERR_OUT_OF_RANGE`), or a
   * timeout with `blocking: false` (`ERR_INVALID_ARG_VALUE`).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `options` is not an object:
   * Python's `acquire(False)` is `acquire({ blocking: false })` here.
   * @remarks Cancellation: when `signal` aborts, the promise rejects with
   * `signal.reason` and the lock is not taken.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    if (options === undefined) {
      return tryLock(this.#i32, STATE) ? RESOLVED_TRUE : lockAsync(this.#i32, STATE, Infinity);
    }
    const timeout = validate(options, 'lock.acquire(options)', ASYNC_FORM);
    const signal = checkSignal(options.signal);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (tryLock(this.#i32, STATE)) return RESOLVED_TRUE;
    if (timeout === 0) return RESOLVED_FALSE;
    return lockAsync(this.#i32, STATE, timeout, signal);
  }

  /**
   * Acquires the lock, blocking the calling thread.
   *
   * @returns `true` once acquired; `false` on timeout.
   * @remarks Blocking: stops this thread's event loop while it waits.
   */
  acquireSync(options?: AcquireSyncOptions): boolean {
    const timeout =
      options === undefined ? Infinity : validate(options, 'lock.acquireSync(options)', SYNC_FORM);
    return lockSync(this.#i32, STATE, timeout);
  }

  /**
   * Releases the lock; any thread may release it.
   *
   * @throws {StateError} `ERR_LOCK_NOT_HELD` if it is not locked.
   */
  release(): void {
    if (unlock(this.#i32, STATE) === UNLOCKED) {
      throw new StateError('ERR_LOCK_NOT_HELD', 'Cannot release an unlocked Lock');
    }
  }

  /** Whether some thread holds the lock right now. */
  locked(): boolean {
    return Atomics.load(this.#i32, STATE) !== UNLOCKED;
  }

  /** Acquires and returns a guard for `await using`; throws `TimeoutError` on timeout. */
  hold(options?: AcquireOptions): Promise<Guard> {
    return holdAsync(this, options);
  }

  /** Acquires (blocking) and returns a guard for `using`; throws `TimeoutError` on timeout. */
  holdSync(options?: AcquireSyncOptions): Guard {
    return holdSync(this, options);
  }

  toString(): string {
    return `<${this.locked() ? 'locked' : 'unlocked'} Lock>`;
  }
}

function validate(options: AcquireSyncOptions, call: string, form: string): number {
  checkOptions(options, call, form);
  return checkAcquire(options.blocking, options.timeout);
}

registerShareable('weft.Lock', (state) => Lock.fromShared(state));
