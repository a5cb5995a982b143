import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { BrokenBarrierError } from '../internal/broken-barrier.js';
import { StateError } from '../internal/errors.js';
import { lockSync, unlock } from '../internal/futex.js';
import { adopted, adopting, allocate, attach, Tag } from '../internal/layout.js';
import { track } from '../internal/ready.js';
import { compileInline, loadTask } from '../internal/task-load.js';
import type { AnyFunction, Target, TaskSpec } from '../internal/task-ref.js';
import { toTaskSpec } from '../internal/task-ref.js';
import { checkInt, checkSignal, checkTimeout } from '../internal/validate.js';
import { deadlineOf, remaining, waitAsync, waitSync } from '../internal/wait.js';
import type { WaitOptions, WaitSyncOptions } from './guard.js';

// Layout: [TAG, parties, count, state, seq, mutex]. This is CPython's
// Barrier (filling → draining → filling, or resetting / broken) over shared
// memory: `mutex` is a futex guarding count/state, held only for a few
// instructions (never while waiting or running the action), and `seq` is the
// condition variable: bumped on every state change, waited on otherwise.
const WORDS = 6;
const PARTIES = 1;
const COUNT = 2;
const STATE = 3;
const SEQ = 4;
const MUTEX = 5;
const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

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
   * @throws {RangeError} when `parties` < 1.
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    const i32 = adopted();
    const state = restoring;
    restoring = undefined;
    if (i32 !== undefined && state !== undefined) {
      this.#i32 = i32;
      this.#spec = state.action;
      this.#timeout = state.timeout;
    } else {
      checkInt(parties, 'parties', 1, 2 ** 31 - 1);
      this.#timeout = checkTimeout(options.timeout);
      this.#spec =
        options.action === undefined ? undefined : toTaskSpec(options.action, 'Barrier `action`');
      this.#i32 = allocate(Tag.Barrier, WORDS);
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
        track(this.#loading);
      }
    }
  }

  /** @internal */
  static fromShared(state: unknown): Barrier {
    const s = state as BarrierState;
    const i32 = attach(s.buffer, Tag.Barrier, WORDS, 'Barrier');
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

  #lock(): void {
    lockSync(this.#i32, MUTEX, Infinity);
  }

  #unlock(): void {
    unlock(this.#i32, MUTEX);
  }

  #bump(): void {
    Atomics.add(this.#i32, SEQ, 1);
    Atomics.notify(this.#i32, SEQ);
  }

  #setState(state: number): void {
    Atomics.store(this.#i32, STATE, state);
    this.#bump();
  }

  // After a thread leaves wait(): the last one out ends draining/resetting.
  #exit(): void {
    const i32 = this.#i32;
    const count = --i32[COUNT]!;
    const state = i32[STATE]!;
    if (count === 0 && (state === DRAINING || state === RESETTING)) this.#setState(FILLING);
  }

  #timeoutOf(options: WaitSyncOptions | undefined): number {
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
    const timeout = this.#timeoutOf(options);
    const signal = checkSignal(options?.signal);
    signal?.throwIfAborted();
    if (this.#loading !== undefined) await this.#loading;
    const deadline = deadlineOf(timeout);
    const i32 = this.#i32;
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
          await waitAsync(i32, SEQ, seq, Infinity, signal);
        } finally {
          this.#lock();
        }
      }
      const index = i32[COUNT]!++;
      try {
        if (index + 1 === this.parties) {
          this.#unlock();
          try {
            await this.#action?.();
          } catch (error) {
            this.#lock();
            this.#setState(BROKEN);
            throw error;
          }
          this.#lock();
          this.#release();
        } else {
          while (i32[STATE] === FILLING) {
            const left = remaining(deadline);
            if (left <= 0) {
              this.#setState(BROKEN);
              break;
            }
            const seq = Atomics.load(i32, SEQ);
            this.#unlock();
            try {
              await waitAsync(i32, SEQ, seq, left, signal);
            } catch (reason) {
              this.#lock();
              this.#setState(BROKEN);
              throw reason;
            }
            this.#lock();
          }
          if (i32[STATE]! < 0) throw new BrokenBarrierError();
        }
        return index;
      } finally {
        this.#exit();
      }
    } finally {
      this.#unlock();
    }
  }

  /**
   * Like {@link Barrier.wait}, blocking the calling thread.
   *
   * @remarks Blocking: stops this thread's event loop while it waits.
   * @throws {StateError} `ERR_BARRIER_NOT_READY` if a task-reference action has not loaded yet in this thread (see `ready()`).
   */
  waitSync(options?: WaitSyncOptions): number {
    const timeout = this.#timeoutOf(options);
    if (this.#spec !== undefined && this.#action === undefined) {
      throw new StateError(
        'ERR_BARRIER_NOT_READY',
        "The barrier's action has not loaded in this thread yet; await barrier.ready() first",
      );
    }
    const deadline = deadlineOf(timeout);
    const i32 = this.#i32;
    this.#lock();
    try {
      for (;;) {
        const state = i32[STATE]!;
        if (state === BROKEN) throw new BrokenBarrierError();
        if (state === FILLING) break;
        const seq = Atomics.load(i32, SEQ);
        this.#unlock();
        waitSync(i32, SEQ, seq, Infinity);
        this.#lock();
      }
      const index = i32[COUNT]!++;
      try {
        if (index + 1 === this.parties) {
          this.#unlock();
          try {
            const result = this.#action?.();
            // waitSync cannot await an async action: a later failure is only reported.
            if (result instanceof Promise) {
              result.catch((error: unknown) =>
                process.emitWarning(
                  `Barrier action failed after waitSync returned: ${String(error)}`,
                  {
                    code: 'WEFT_BARRIER_ACTION',
                  },
                ),
              );
            }
          } catch (error) {
            this.#lock();
            this.#setState(BROKEN);
            throw error;
          }
          this.#lock();
          this.#release();
        } else {
          while (i32[STATE] === FILLING) {
            const left = remaining(deadline);
            if (left <= 0) {
              this.#setState(BROKEN);
              break;
            }
            const seq = Atomics.load(i32, SEQ);
            this.#unlock();
            waitSync(i32, SEQ, seq, left);
            this.#lock();
          }
          if (i32[STATE]! < 0) throw new BrokenBarrierError();
        }
        return index;
      } finally {
        this.#exit();
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
