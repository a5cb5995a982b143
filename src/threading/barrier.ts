import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { BrokenBarrierError } from '../internal/broken-barrier.js';
import { StateError } from '../internal/errors.js';
import { lockSync, SLICE, unlock } from '../internal/futex.js';
import type { Recover } from '../internal/futex.js';
import { threadId } from 'node:worker_threads';
import { isKnownDead } from './registry.js';
import { adopted, adopting, allocate, attach, Tag } from '../internal/layout.js';
import { compileInline, loadTask } from '../internal/task-load.js';
import type { AnyFunction, Target, TaskSpec } from '../internal/task-ref.js';
import { toTaskSpec } from '../internal/task-ref.js';
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
  call,
  deadlineOf,
  PARK_DEADLINE,
  PARK_OK,
  PARK_SLICE,
  park,
  runAsync,
  runSync,
} from '../internal/blocking.js';
import type { Protocol, Woken } from '../internal/blocking.js';
import type { WaitOptions, WaitSyncOptions } from './guard.js';

// Layout: [TAG, parties, count, state, seq, mutex, journal, jIndex, jEntry,
// jCount, then one entry per party: the threadId + 1 of the party that
// arrived with that index, 0 once it left]. This is CPython's Barrier
// (filling → draining → filling, or resetting / broken) over shared memory:
// `mutex` is a futex guarding count/state/entries, held only for a few
// instructions (never while waiting or running the action), and `seq` is the
// condition variable: bumped on every state change, waited on otherwise.
//
// Parties die: the mutex is taken over from a dead holder, and a change of
// `count` and an entry is journaled first (journal = 1 with the old words) so
// the next holder rolls back what a killed thread half-did. Waiters wake
// every SLICE ms and reap entries of dead parties: a dead party breaks a
// filling round (as a timeout would), and leaves a draining one.
const PARTIES = 1;
const COUNT = 2;
const STATE = 3;
const SEQ = 4;
const MUTEX = 5;
const JOURNAL = 6;
const J_INDEX = 7;
const J_ENTRY = 8;
const J_COUNT = 9;
const HEADER = 10;
/** Parties beyond this many are not tracked (their death is not noticed). */
const MAX_TRACKED = 1 << 16;
const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;
const ME = threadId + 1;

// One BrokenBarrierError class for weft/threading and weft/asyncio.
export { BrokenBarrierError };

/** Options of a {@link Barrier}. */
export interface BarrierOptions {
  /**
   * Runs once per generation, in the last thread to arrive, before any is
   * released: a self-contained function or a task reference. If it throws,
   * the barrier breaks. Its returned promise is awaited by `wait()`, not by `waitSync()`.
   */
  readonly action?: Target<() => unknown>;
  /** Default timeout of `wait` in ms. @default Infinity */
  readonly timeout?: number;
}

interface BarrierState {
  readonly buffer: SharedArrayBuffer;
  readonly action: TaskSpec | undefined;
  readonly timeout: number;
}

/**
 * A barrier for a fixed number of threads (Python's `threading.Barrier`):
 * each `wait` blocks until `parties` threads are waiting, then all go on
 * together; it is then reused for the next round.
 *
 * @remarks Party death: a party whose thread dies inside `wait` (killed by
 * weft, or its thread ended) breaks the round it was filling, within ~100 ms
 * of a waiter looking (every waiter gets `BrokenBarrierError`, as on a
 * timeout; `reset()` makes it usable again), and is counted out of a round
 * that was already releasing. The barrier's internal lock is taken over from
 * a thread that died holding it. Only the first 65,536 parties are tracked.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3, { timeout: 5000 });
 * // three threads (or async tasks) each call barrier.wait():
 * const indexes = await Promise.all([0, 1, 2].map(() => barrier.wait()));
 * console.log(indexes.sort()); // [0, 1, 2]: distinct in each round
 * ```
 */
export class Barrier implements Shareable {
  readonly #i32: Int32Array;
  readonly #spec: TaskSpec | undefined;
  readonly #timeout: number;
  #action: AnyFunction | undefined;
  #loading: Promise<void> | undefined;

  /**
   * @param parties - Threads per round, an integer >= 1.
   * @param options.action - Run by one thread when a round fills (Python's positional `action`).
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `parties` < 1.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `options` is not an object:
   * `new Barrier(2, fn)` is `new Barrier(2, { action: fn })` here.
   */
  constructor(parties: number, options?: BarrierOptions) {
    const i32 = adopted();
    const state = restoring;
    restoring = undefined;
    if (i32 !== undefined && state !== undefined) {
      this.#i32 = i32;
      this.#spec = state.action;
      this.#timeout = state.timeout;
    } else {
      checkInt(parties, 'parties', 1, 2 ** 31 - 1);
      options = checkOptions(options, 'new Barrier(parties, options)', '{ action, timeout }');
      this.#timeout = checkTimeout(options.timeout);
      this.#spec =
        options.action === undefined ? undefined : toTaskSpec(options.action, 'Barrier `action`');
      this.#i32 = allocate(Tag.Barrier, HEADER + Math.min(parties, MAX_TRACKED));
      this.#i32[PARTIES] = parties;
      if (typeof options.action === 'function') this.#action = options.action;
    }
    const spec = this.#spec;
    if (spec !== undefined && this.#action === undefined) {
      if ('source' in spec) this.#action = compileInline(spec.source);
      else {
        this.#loading = loadTask(spec).then((fn) => {
          this.#action = fn;
        });
        // A failure surfaces where the action is needed (ready(), wait()); never unhandled here.
        this.#loading.catch(() => {});
      }
    }
  }

  /** @internal */
  static fromShared(state: unknown): Barrier {
    const s = state as BarrierState;
    const i32 = attach(s.buffer, Tag.Barrier, HEADER, 'Barrier');
    restoring = s;
    return adopting(i32, () => new Barrier(i32[PARTIES]!));
  }

  /** @internal */
  [SHARE](): SharedState {
    const state: BarrierState = {
      buffer: this.#i32.buffer as SharedArrayBuffer,
      action: this.#spec,
      timeout: this.#timeout,
    };
    return { tag: 'weft.Barrier', state };
  }

  /** Resolves once the action (a task reference) has loaded in this thread. */
  async ready(): Promise<void> {
    await this.#loading;
  }

  /** Threads needed per round. */
  get parties(): number {
    return this.#i32[PARTIES]!;
  }

  /** Threads waiting in the current round. */
  get nWaiting(): number {
    return Atomics.load(this.#i32, STATE) === FILLING ? Atomics.load(this.#i32, COUNT) : 0;
  }

  /** Whether the barrier is broken (until `reset()`). */
  get broken(): boolean {
    return Atomics.load(this.#i32, STATE) === BROKEN;
  }

  #tookOver = false;
  readonly #recover: Recover = {
    dead: isKnownDead,
    tookOver: () => {
      this.#tookOver = true;
    },
  };

  #lock(): void {
    const i32 = this.#i32;
    lockSync(i32, MUTEX, Infinity, this.#recover);
    if (Atomics.load(i32, JOURNAL) !== 0) {
      const index = i32[J_INDEX]!;
      i32[HEADER + index] = i32[J_ENTRY]!;
      i32[COUNT] = i32[J_COUNT]!;
      Atomics.store(i32, JOURNAL, 0);
    }
    if (this.#tookOver) {
      this.#tookOver = false;
      this.#reap();
    }
  }

  #unlock(): void {
    unlock(this.#i32, MUTEX);
  }

  // Under the mutex: sets the entry of `index` and the count, journaled.
  #record(index: number, entry: number, count: number): void {
    const i32 = this.#i32;
    if (index < MAX_TRACKED) {
      i32[J_INDEX] = index;
      i32[J_ENTRY] = i32[HEADER + index]!;
      i32[J_COUNT] = i32[COUNT]!;
      Atomics.store(i32, JOURNAL, 1);
      i32[HEADER + index] = entry;
    }
    i32[COUNT] = count;
    Atomics.store(i32, JOURNAL, 0);
  }

  // Under the mutex: forgets parties that died inside wait().
  #reap(): void {
    const i32 = this.#i32;
    const tracked = Math.min(i32[PARTIES]!, MAX_TRACKED);
    let reaped = false;
    for (let index = 0; index < tracked; index++) {
      const entry = i32[HEADER + index]!;
      if (entry === 0 || !isKnownDead(entry - 1)) continue;
      this.#record(index, 0, i32[COUNT]! - 1);
      reaped = true;
    }
    const state = i32[STATE]!;
    if (reaped && state === FILLING) this.#setState(BROKEN);
    else if (i32[COUNT] === 0 && (state === DRAINING || state === RESETTING)) {
      this.#setState(FILLING);
    }
  }

  #bump(): void {
    Atomics.add(this.#i32, SEQ, 1);
    Atomics.notify(this.#i32, SEQ);
  }

  #setState(state: number): void {
    Atomics.store(this.#i32, STATE, state);
    this.#bump();
  }

  #arrive(): number {
    const index = this.#i32[COUNT]!;
    this.#record(index, ME, index + 1);
    return index;
  }

  // After a thread leaves wait(): the last one out ends draining/resetting.
  #exit(index: number): void {
    const i32 = this.#i32;
    const count = i32[COUNT]! - 1;
    this.#record(index, 0, count);
    const state = i32[STATE]!;
    if (count === 0 && (state === DRAINING || state === RESETTING)) this.#setState(FILLING);
  }

  #timeoutOf(options: WaitSyncOptions | undefined, call: string): number {
    checkOptions(options, call, call.includes('Sync') ? WAIT_SYNC_FORM : WAIT_FORM);
    return options?.timeout === undefined ? this.#timeout : checkTimeout(options.timeout);
  }

  /**
   * Waits until `parties` threads wait, without blocking the event loop.
   *
   * @returns This thread's index in the round, `0..parties-1`, distinct per round.
   * @throws {BrokenBarrierError} if the barrier is or becomes broken, is reset
   * while waiting, or `timeout` passes (which breaks it for everyone).
   */
  async wait(options?: WaitOptions): Promise<number> {
    const timeout = this.#timeoutOf(options, 'barrier.wait(options)');
    const signal = checkSignal(options?.signal);
    const aborted = abortedRejection(signal);
    if (aborted !== undefined) return aborted;
    const deadline = deadlineOf(timeout);
    if (this.#loading !== undefined) await this.#loading;
    return runAsync(this.#wait(deadline, this.#action), signal);
  }

  /**
   * Like {@link Barrier.wait}, blocking the calling thread.
   *
   * @remarks Blocking: stops this thread's event loop while it waits.
   * @throws {StateError} `ERR_BARRIER_NOT_READY` if a task-reference action has not loaded yet in this thread (see `ready()`).
   */
  waitSync(options?: WaitSyncOptions): number {
    const timeout = this.#timeoutOf(options, 'barrier.waitSync(options)');
    if (this.#spec !== undefined && this.#action === undefined) {
      throw new StateError(
        'ERR_BARRIER_NOT_READY',
        "The barrier's action has not loaded in this thread yet; await barrier.ready() first",
      );
    }
    const action = this.#action;
    return runSync(
      this.#wait(
        deadlineOf(timeout),
        action === undefined
          ? undefined
          : () => {
              const result = action();
              // waitSync cannot await an async action: a later failure is only reported.
              if (result instanceof Promise) {
                result.catch((error: unknown) =>
                  process.emitWarning(
                    `Barrier action failed after waitSync returned: ${String(error)}`,
                    { code: 'WEFT_BARRIER_ACTION' },
                  ),
                );
              }
            },
      ),
    );
  }

  // Both forms. The mutex is held except while parked on `seq` or running
  // the action; waiters wake every SLICE ms to reap parties that died. An
  // abort thrown in while filling breaks the round, as a timeout does.
  *#wait(deadline: number, action: (() => unknown) | undefined): Protocol<number> {
    const i32 = this.#i32;
    let woken: Woken;
    this.#lock();
    try {
      // Wait out a previous round's draining or resetting.
      for (;;) {
        const state = i32[STATE]!;
        if (state === BROKEN) throw new BrokenBarrierError();
        if (state === FILLING) break;
        const seq = Atomics.load(i32, SEQ);
        this.#unlock();
        try {
          woken = yield park(i32, SEQ, seq, Infinity, SLICE);
        } finally {
          this.#lock();
        }
        if (woken === PARK_SLICE) this.#reap();
      }
      const index = this.#arrive();
      try {
        if (index + 1 === this.parties) {
          this.#unlock();
          try {
            if (action !== undefined) yield call(action);
          } catch (error) {
            this.#lock();
            this.#setState(BROKEN);
            throw error;
          }
          this.#lock();
          this.#release();
        } else {
          woken = PARK_OK;
          while (i32[STATE] === FILLING) {
            if (woken === PARK_DEADLINE) {
              this.#setState(BROKEN);
              break;
            }
            const seq = Atomics.load(i32, SEQ);
            this.#unlock();
            try {
              woken = yield park(i32, SEQ, seq, deadline, SLICE);
            } catch (reason) {
              this.#lock();
              this.#setState(BROKEN);
              throw reason;
            }
            this.#lock();
            if (woken >= PARK_SLICE) this.#reap();
          }
          if (i32[STATE]! < 0) throw new BrokenBarrierError();
        }
        return index;
      } finally {
        this.#exit(index);
      }
    } finally {
      this.#unlock();
    }
  }

  // The last arrival, after the action: release the round, unless the
  // barrier was broken or reset while the action ran.
  #release(): void {
    if (this.#i32[STATE] !== FILLING) throw new BrokenBarrierError();
    this.#setState(DRAINING);
  }

  /**
   * Returns the barrier to its initial state; threads waiting in it get
   * `BrokenBarrierError`, and it is usable again at once.
   */
  reset(): void {
    this.#lock();
    try {
      this.#reap();
      const i32 = this.#i32;
      if (i32[COUNT]! > 0) {
        if (i32[STATE] === FILLING || i32[STATE] === BROKEN) this.#setState(RESETTING);
        else this.#bump();
      } else this.#setState(FILLING);
    } finally {
      this.#unlock();
    }
  }

  /** Breaks the barrier: current and future waiters get `BrokenBarrierError` until `reset()`. */
  abort(): void {
    this.#lock();
    try {
      this.#setState(BROKEN);
    } finally {
      this.#unlock();
    }
  }

  toString(): string {
    return this.broken ? '<Barrier broken>' : `<Barrier waiters=${this.nWaiting}/${this.parties}>`;
  }
}

let restoring: BarrierState | undefined;

registerShareable('weft.Barrier', (state) => Barrier.fromShared(state));
