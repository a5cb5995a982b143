import { BrokenBarrierError } from '../internal/broken-barrier.js';
import { argTypeError, describe } from '../internal/errors.js';
import {
  checkInt,
  checkOptions,
  checkSignal,
  checkTimeout,
  WAIT_FORM,
} from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import type { Waiter } from '../internal/waiters.js';
import type { WaitOptions } from './options.js';
import { inThreadOnly } from '../internal/classes.js';

/** Options of a {@link Barrier}. */
export interface BarrierOptions {
  /**
   * Runs once per round, in the last task to arrive, before any is
   * released (awaited if it returns a promise). If it throws, the barrier
   * breaks: that task gets the error, the others `BrokenBarrierError`.
   */
  readonly action?: () => unknown;
  /** Default timeout of `wait` in ms. @default Infinity */
  readonly timeout?: number;
}

type Round = WaiterList<number, number>;

/**
 * A barrier for a fixed number of tasks of one thread (Python's
 * `asyncio.Barrier`, with threading's `action` and `timeout`): each `wait`
 * waits until `parties` tasks are waiting, then all go on together, and the
 * barrier is reused for the next round.
 *
 * @remarks A timeout or an aborted wait breaks the barrier for every
 * waiter, as in Python (the aborted one rejects with `signal.reason`).
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * await Promise.all([0, 1, 2].map(async () => {
 *   const index = await barrier.wait(); // 0..2, distinct per round
 * }));
 * ```
 */
export class Barrier {
  readonly #parties: number;
  readonly #action: (() => unknown) | undefined;
  readonly #timeout: number;
  #round: Round = new WaiterList();
  /** The round whose last task is running the action. */
  #releasing: Round | undefined;
  #broken = false;

  /**
   * @param parties - Tasks per round, an integer >= 1.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `parties` < 1.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `options` is not an object:
   * `new Barrier(2, fn)` is `new Barrier(2, { action: fn })` here.
   */
  constructor(parties: number, options?: BarrierOptions) {
    this.#parties = checkInt(parties, 'parties', 1);
    options = checkOptions(options, 'new Barrier(parties, options)', '{ action, timeout }');
    this.#timeout = checkTimeout(options.timeout);
    if (options.action !== undefined && typeof options.action !== 'function') {
      throw argTypeError(`Expected \`action\` to be a function, got ${describe(options.action)}`);
    }
    this.#action = options.action;
  }

  /** Tasks needed per round. */
  get parties(): number {
    return this.#parties;
  }

  /** Tasks waiting in the current round. */
  get nWaiting(): number {
    return this.#round.size;
  }

  /** Whether the barrier is broken (until `reset()`). */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Waits until `parties` tasks wait.
   *
   * @returns This task's index in the round, `0..parties-1`, distinct per round.
   * @throws {BrokenBarrierError} (rejects) if the barrier is or becomes
   * broken, is reset while waiting, or `timeout` passes (which breaks it for everyone).
   */
  async wait(options?: WaitOptions): Promise<number> {
    checkOptions(options, 'barrier.wait(options)', WAIT_FORM);
    const timeout = options?.timeout === undefined ? this.#timeout : checkTimeout(options.timeout);
    const signal = checkSignal(options?.signal);
    if (this.#broken) throw new BrokenBarrierError();
    signal?.throwIfAborted();
    const round = this.#round;
    const index = round.size;
    if (index + 1 < this.#parties) {
      const waiting = round.park(index, timeout, signal, this.#onTimeout);
      try {
        return await waiting;
      } catch (error) {
        // An aborted waiter breaks the round for everyone, as a timeout does.
        if (error === signal?.reason) this.#break();
        throw error;
      }
    }
    // The last to arrive: start a fresh round, run the action, release this one.
    this.#round = new WaiterList();
    if (this.#action !== undefined) {
      this.#releasing = round;
      try {
        await this.#action();
      } catch (error) {
        this.#break();
        throw error;
      } finally {
        this.#releasing = undefined;
      }
      // Broken, reset, or a waiter gone while the action ran.
      if (round.size < index) {
        round.failAll(() => new BrokenBarrierError());
        throw new BrokenBarrierError();
      }
    }
    for (let w = round.first(); w !== undefined; w = round.first()) round.grant(w, w.data);
    return index;
  }

  readonly #onTimeout = (w: Waiter<number, number>): void => {
    w.reject(new BrokenBarrierError('The barrier timed out'));
    this.#break();
  };

  #break(): void {
    this.#broken = true;
    this.#releasing?.failAll(() => new BrokenBarrierError());
    this.#round.failAll(() => new BrokenBarrierError());
  }

  /**
   * Returns the barrier to its initial state; tasks waiting in it get
   * `BrokenBarrierError`, and it is usable again at once.
   */
  reset(): void {
    const round = this.#round;
    this.#round = new WaiterList();
    this.#broken = false;
    this.#releasing?.failAll(() => new BrokenBarrierError('The barrier was reset'));
    round.failAll(() => new BrokenBarrierError('The barrier was reset'));
  }

  /** Breaks the barrier: current and future waiters get `BrokenBarrierError` until `reset()`. */
  abort(): void {
    this.#break();
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    const state = this.#broken ? 'broken' : `waiters=${this.nWaiting}/${this.#parties}`;
    return `<Barrier [${state}]>`;
  }
}

inThreadOnly(Barrier, 'weft/asyncio', 'across threads, use Barrier from weft/threading');
