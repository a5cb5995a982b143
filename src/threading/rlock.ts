import { rejected } from '../internal/reject.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { threadId } from 'node:worker_threads';
import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { argTypeError, describe, StateError } from '../internal/errors.js';
import { locking, TAKEN_OVER, TIMED_OUT, tryLock, unlock } from '../internal/futex.js';
import type { Recover } from '../internal/futex.js';
import { adopted, adopting, allocate, attach, Tag } from '../internal/layout.js';
import {
  ASYNC_FORM,
  checkAcquire,
  checkOptions,
  checkSignal,
  SYNC_FORM,
} from '../internal/validate.js';
import { abortedRejection, deadlineOf, runAsync, runSync } from '../internal/blocking.js';
import type { Protocol } from '../internal/blocking.js';
import type { AcquireOptions, AcquireSyncOptions, Guard } from './guard.js';
import { holdAsync, holdSync, RESOLVED_FALSE, RESOLVED_TRUE } from './guard.js';
import { isKnownDead } from './registry.js';

// Layout: [TAG, state, ownerThread, ownerScope, count, ownerDied].
// `state` is a futex word naming the thread holding it (internal/futex.ts),
// and that is what a waiter checks for a dead owner: the owner words are
// written only by the thread holding `state`, after taking it and before
// releasing it, so a thread killed between the two still shows in `state`.
const WORDS = 6;
const STATE = 1;
const OWNER = 2;
const SCOPE = 3;
const COUNT = 4;
const DIED = 5;
const NONE = -1;
// Loads spent watching for a release before parking (as Lock's futex does);
// longer when re-taking the lock right after a Condition wake-up.
const SPIN = 64;
const RESTORE_SPIN = 1024;
// While blocked, a waiter re-checks every SLICE ms (internal/futex.ts) whether the owner died
// (any death: only the owner may release an RLock).
const RECOVER: Recover = {
  dead: isKnownDead,
  tookOver(ident) {
    process.emitWarning(
      `RLock taken over from thread ${ident}, which died holding it; the state it protects may be inconsistent`,
      { code: 'WEFT_OWNER_DIED' },
    );
  },
};

// The chain of withLock scopes the current async call chain runs in.
const scopes = new AsyncLocalStorage<readonly number[]>();
let lastScope = 0;

/** Saved ownership, for Condition's release-and-restore. */
export interface RLockSaved {
  readonly count: number;
  readonly scope: number;
}

/**
 * A reentrant lock shared across threads: the owner may acquire it again and
 * must release it as many times (Python's `threading.RLock`).
 *
 * The owner is the thread, as in Python, except inside {@link RLock.withLock}:
 * there the owner is that call's scope, carried along its async chain, so two
 * independent async tasks of one thread exclude each other while each can
 * re-enter. Use `withLock` whenever async tasks of one thread share an RLock.
 *
 * @remarks Owner death: if a thread dies holding the lock (terminated,
 * crashed, `process.exit`), a waiter takes it over within ~100 ms: its acquire
 * succeeds, {@link RLock.ownerDied} reads `true` until it fully releases, and a
 * `WEFT_OWNER_DIED` process warning is emitted. The state the lock protects may
 * be half-updated; check it (POSIX robust mutexes' `EOWNERDEAD`).
 * @example
 * ```ts
 * const rlock = new RLock();
 * await rlock.withLock(async () => {
 *   await rlock.withLock(async () => {
 *     // re-entered: the same scope owns it
 *   });
 * });
 * ```
 */
export class RLock implements Shareable {
  readonly #i32: Int32Array;

  constructor() {
    let i32 = adopted();
    if (i32 === undefined) {
      i32 = allocate(Tag.RLock, WORDS);
      i32[OWNER] = NONE;
    }
    this.#i32 = i32;
  }

  /** @internal */
  static fromShared(buffer: unknown): RLock {
    return adopting(attach(buffer, Tag.RLock, WORDS, 'RLock'), () => new RLock());
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.RLock', state: this.#i32.buffer };
  }

  /**
   * Acquires the lock (or re-enters it) without blocking the event loop.
   *
   * @returns `true` once held; `false` on timeout.
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
    const timeout =
      options === undefined
        ? Infinity
        : checkAcquire(
            checkOptions(options, 'rlock.acquire(options)', ASYNC_FORM).blocking,
            options.timeout,
          );
    const signal = checkSignal(options?.signal);
    const aborted = abortedRejection(signal);
    if (aborted !== undefined) return aborted;
    const scope = currentScope();
    if (this.#reenter(scope) || this.#tryTake(scope)) return RESOLVED_TRUE;
    if (timeout === 0) return RESOLVED_FALSE;
    return runAsync(this.#acquiring(scope, deadlineOf(timeout), SPIN), signal);
  }

  /**
   * Acquires the lock (or re-enters it), blocking the calling thread.
   *
   * @returns `true` once held; `false` on timeout.
   * @remarks Blocking: stops this thread's event loop while it waits.
   */
  acquireSync(options?: AcquireSyncOptions): boolean {
    const timeout =
      options === undefined
        ? Infinity
        : checkAcquire(
            checkOptions(options, 'rlock.acquireSync(options)', SYNC_FORM).blocking,
            options.timeout,
          );
    return this.#acquireSync(currentScope(), timeout, SPIN);
  }

  #acquireSync(scope: number, timeout: number, spin: number): boolean {
    if (this.#reenter(scope) || this.#tryTake(scope)) return true;
    if (timeout === 0) return false;
    return runSync(this.#acquiring(scope, deadlineOf(timeout), spin));
  }

  // The slow path of both forms: take the futex (or take it over from a dead
  // owner, then `ownerDied` reads true), and own it.
  *#acquiring(scope: number, deadline: number, spin: number): Protocol<boolean> {
    const taken = yield* locking(this.#i32, STATE, deadline, RECOVER, spin);
    if (taken === TIMED_OUT) return false;
    this.#own(scope, 1);
    if (taken === TAKEN_OVER) Atomics.store(this.#i32, DIED, 1);
    return true;
  }

  #reenter(scope: number): boolean {
    if (!this.#owns(scope)) return false;
    this.#i32[COUNT]!++;
    return true;
  }

  #tryTake(scope: number): boolean {
    if (!tryLock(this.#i32, STATE)) return false;
    this.#own(scope, 1);
    return true;
  }

  #own(scope: number, count: number): void {
    const i32 = this.#i32;
    i32[SCOPE] = scope;
    i32[COUNT] = count;
    Atomics.store(i32, OWNER, threadId);
  }

  #owns(scope: number): boolean {
    const i32 = this.#i32;
    if (Atomics.load(i32, OWNER) !== threadId) return false;
    const owner = i32[SCOPE]!;
    return owner === 0 || owner === scope || scopes.getStore()?.includes(owner) === true;
  }

  /**
   * Releases one level; the last release unlocks it.
   *
   * @throws {StateError} `ERR_RLOCK_NOT_OWNED` when the caller does not own it.
   */
  release(): void {
    if (!this.#owns(currentScope())) {
      throw new StateError(
        'ERR_RLOCK_NOT_OWNED',
        'Cannot release an RLock that this thread (or scope) does not own',
      );
    }
    const i32 = this.#i32;
    if (--i32[COUNT]! === 0) this.#unlock();
  }

  #unlock(): void {
    const i32 = this.#i32;
    i32[SCOPE] = 0;
    Atomics.store(i32, DIED, 0);
    Atomics.store(i32, OWNER, NONE);
    unlock(i32, STATE);
  }

  /**
   * Runs `fn` holding the lock, as its own owner scope: nested `withLock`,
   * `acquire` and `release` calls along fn's async chain re-enter, while
   * another scope (another async task of this thread too) waits.
   *
   * @returns What `fn` returns.
   * @throws {TimeoutError} when `timeout` passes before the lock is acquired.
   */
  withLock<R>(fn: () => R | Promise<R>, options?: AcquireOptions): Promise<R> {
    if (typeof fn !== 'function')
      throw argTypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
    const chain = scopes.getStore() ?? [];
    const owner = Atomics.load(this.#i32, OWNER) === threadId ? this.#i32[SCOPE]! : NONE;
    // Already held by this scope chain: plain re-entry.
    const scope = owner !== NONE && (owner === 0 || chain.includes(owner)) ? owner : ++lastScope;
    return scopes.run(scope === owner ? chain : [...chain, scope], async () => {
      const held = await this.hold(options);
      try {
        return await fn();
      } finally {
        held.release();
      }
    });
  }

  /** Acquires and returns a guard for `await using`; throws `TimeoutError` on timeout. */
  hold(options?: AcquireOptions): Promise<Guard> {
    return holdAsync(this, options);
  }

  /** Acquires (blocking) and returns a guard for `using`; throws `TimeoutError` on timeout. */
  holdSync(options?: AcquireSyncOptions): Guard {
    return holdSync(this, options);
  }

  /** Whether any thread holds it. */
  locked(): boolean {
    return Atomics.load(this.#i32, STATE) !== 0;
  }

  /** Whether the caller (this thread, or this withLock scope) owns it. Python's `_is_owned()`. */
  isOwned(): boolean {
    return this.#owns(currentScope());
  }

  /** How many times the caller holds it (0 when it does not own it). Python's `_recursion_count()`. */
  recursionCount(): number {
    return this.#owns(currentScope()) ? this.#i32[COUNT]! : 0;
  }

  /** True while the current holder took the lock over from a thread that died holding it. */
  get ownerDied(): boolean {
    return this.isOwned() && Atomics.load(this.#i32, DIED) === 1;
  }

  /** @internal Condition.wait: fully release, returning what restores it. */
  _releaseSave(): RLockSaved {
    if (!this.isOwned()) {
      throw new StateError(
        'ERR_RLOCK_NOT_OWNED',
        'Cannot release an RLock that this thread (or scope) does not own',
      );
    }
    const saved = { count: this.#i32[COUNT]!, scope: this.#i32[SCOPE]! };
    this.#unlock();
    return saved;
  }

  /**
   * @internal Condition.wait, for both forms: re-acquire and restore the
   * saved depth. The notifier usually releases within a few µs of waking
   * the waiter: spin longer than a plain acquire before parking again.
   */
  *_restoring(saved: RLockSaved): Protocol<void> {
    if (!this.#tryTake(saved.scope)) {
      yield* this.#acquiring(saved.scope, Infinity, RESTORE_SPIN);
    }
    this.#i32[COUNT] = saved.count;
    this.#i32[SCOPE] = saved.scope;
  }

  toString(): string {
    const owner = Atomics.load(this.#i32, OWNER);
    return this.locked()
      ? `<locked RLock owner=${owner} count=${this.#i32[COUNT]}>`
      : '<unlocked RLock>';
  }
}

function currentScope(): number {
  const chain = scopes.getStore();
  return chain === undefined || chain.length === 0 ? 0 : chain[chain.length - 1]!;
}

registerShareable('weft.RLock', (state) => RLock.fromShared(state));
