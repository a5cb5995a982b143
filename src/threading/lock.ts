import { rejected } from '../internal/reject.js';
import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { StateError } from '../internal/errors.js';
import {
  holderOf,
  lockAsync,
  lockSync,
  locking,
  tryLock,
  tryLockOrRecover,
  unlock,
  UNLOCKED,
} from '../internal/futex.js';
import type { Recover } from '../internal/futex.js';
import { abortedRejection } from '../internal/blocking.js';
import type { Protocol } from '../internal/blocking.js';
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
import { wasKilled } from './registry.js';

// Layout: [TAG, state] — state is a futex word naming the thread that last
// took the lock (internal/futex.ts). Waiters take it over from a holder that
// weft killed; a holder that ended on its own leaves it held, as in Python.
const WORDS = 2;
const STATE = 1;

const RECOVER: Recover = {
  dead: wasKilled,
  tookOver(ident) {
    process.emitWarning(
      `Lock taken over from thread ${ident}, which weft killed while it held the lock; the state it protects may be inconsistent`,
      { code: 'WEFT_OWNER_DIED' },
    );
  },
};

/**
 * A primitive lock shared across threads: not owned, so any thread may release
 * it (Python's `threading.Lock`). Prefer the guard forms, which release even on
 * throw and throw `TimeoutError` instead of returning `false`.
 *
 * @remarks Thread safety: pass it to threads (Thread args, queue items, task
 * arguments); every copy works on the same lock.
 *
 * Holder death: the lock remembers which thread took it last. If weft kills
 * that thread while it holds the lock (a pool's task timeout or
 * `terminate()`, an isolate out of memory under `resourceLimits`), the lock
 * counts as released: a waiter takes it over within ~100 ms (a
 * `WEFT_OWNER_DIED` process warning says so; the state it protects may be
 * half-updated), and `locked()` reads `false`. A thread that *ends on its
 * own* holding it (its target returns or throws) leaves it held, as in
 * Python, since another thread may still release it. A release meant for the
 * killed thread's hold, arriving after a waiter took the lock over, releases
 * the new holder's: the lock is not owned.
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
   * @throws {RangeError} (rejects) for a negative timeout (`ERR_OUT_OF_RANGE`), or a
   * timeout with `blocking: false` (`ERR_INVALID_ARG_VALUE`).
   * @throws {TypeError} (rejects) `ERR_INVALID_ARG_TYPE` when `options` is not an object:
   * Python's `acquire(False)` is `acquire({ blocking: false })` here.
   * @remarks Cancellation: when `signal` aborts, the promise rejects with
   * `signal.reason` and the lock is not taken.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    try {
      return this.#acquire(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #acquire(options?: AcquireOptions): Promise<boolean> {
    if (options === undefined) {
      return tryLock(this.#i32, STATE)
        ? RESOLVED_TRUE
        : lockAsync(this.#i32, STATE, Infinity, undefined, RECOVER);
    }
    const timeout = validate(options, 'lock.acquire(options)', ASYNC_FORM);
    const signal = checkSignal(options.signal);
    const aborted = abortedRejection(signal);
    if (aborted !== undefined) return aborted;
    if (tryLockOrRecover(this.#i32, STATE, RECOVER)) return RESOLVED_TRUE;
    if (timeout === 0) return RESOLVED_FALSE;
    return lockAsync(this.#i32, STATE, timeout, signal, RECOVER);
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
    return lockSync(this.#i32, STATE, timeout, RECOVER);
  }

  /** @internal Condition.wait, for both forms: re-acquire after waiting. */
  *_restoring(): Protocol<void> {
    if (!tryLock(this.#i32, STATE)) yield* locking(this.#i32, STATE, Infinity, RECOVER);
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

  /** Whether some thread holds the lock right now (a thread weft killed holds nothing). */
  locked(): boolean {
    const word = Atomics.load(this.#i32, STATE);
    return word !== UNLOCKED && !wasKilled(holderOf(word));
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
