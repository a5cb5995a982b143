import { rejected } from '../internal/reject.js';
import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { adopted, adopting, allocate, attach, Tag } from '../internal/layout.js';
import {
  checkOptions,
  checkSignal,
  checkTimeout,
  WAIT_FORM,
  WAIT_SYNC_FORM,
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
import type { WaitOptions, WaitSyncOptions } from './guard.js';
import { RESOLVED_FALSE, RESOLVED_TRUE } from './guard.js';

// Layout: [TAG, flag, generation]. Waiters sleep on `generation`; set() bumps
// it before waking them, so a waiter woken by set() returns true even if
// clear() follows at once (gh-57711), and never mistakes a wake for nothing.
const WORDS = 3;
const FLAG = 1;
const GEN = 2;

/**
 * A flag shared across threads that threads can wait for (Python's
 * `threading.Event`): `set()` wakes every waiter, `clear()` resets it.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * // in a thread: ready.set();
 * if (await ready.wait({ timeout: 1000 })) console.log('ready');
 * ```
 */
export class Event implements Shareable {
  readonly #i32: Int32Array;

  constructor() {
    this.#i32 = adopted() ?? allocate(Tag.Event, WORDS);
  }

  /** @internal */
  static fromShared(buffer: unknown): Event {
    return adopting(attach(buffer, Tag.Event, WORDS, 'Event'), () => new Event());
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.Event', state: this.#i32.buffer };
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return Atomics.load(this.#i32, FLAG) === 1;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    const i32 = this.#i32;
    if (Atomics.exchange(i32, FLAG, 1) === 1) return;
    Atomics.add(i32, GEN, 1);
    Atomics.notify(i32, GEN);
  }

  /** Clears the flag. */
  clear(): void {
    Atomics.store(this.#i32, FLAG, 0);
  }

  /**
   * Waits until the flag is set, without blocking the event loop.
   *
   * @returns `true` once set (at once if it is); `false` on timeout.
   * @throws {RangeError} (rejects) negative timeout.
   */
  wait(options?: WaitOptions): Promise<boolean> {
    try {
      return this.#waitAsync(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #waitAsync(options?: WaitOptions): Promise<boolean> {
    const timeout = checkTimeout(checkOptions(options, 'event.wait(options)', WAIT_FORM).timeout);
    const signal = checkSignal(options?.signal);
    const aborted = abortedRejection(signal);
    if (aborted !== undefined) return aborted;
    if (this.isSet()) return RESOLVED_TRUE;
    if (timeout === 0) return RESOLVED_FALSE;
    return runAsync(this.#wait(deadlineOf(timeout)), signal);
  }

  /**
   * Waits until the flag is set, blocking the calling thread.
   *
   * @returns `true` once set; `false` on timeout.
   * @remarks Blocking: stops this thread's event loop while it waits.
   */
  waitSync(options?: WaitSyncOptions): boolean {
    const timeout = checkTimeout(
      checkOptions(options, 'event.waitSync(options)', WAIT_SYNC_FORM).timeout,
    );
    if (this.isSet()) return true;
    if (timeout === 0) return false;
    return runSync(this.#wait(deadlineOf(timeout)));
  }

  // Sleeps on `generation` until set() bumps it (or the flag reads set).
  *#wait(deadline: number): Protocol<boolean> {
    const i32 = this.#i32;
    const gen = Atomics.load(i32, GEN);
    let woken: Woken = PARK_OK;
    while (Atomics.load(i32, GEN) === gen) {
      if (this.isSet()) return true;
      if (woken === PARK_DEADLINE) return false;
      woken = yield park(i32, GEN, gen, deadline);
    }
    return true;
  }

  toString(): string {
    return `<Event: ${this.isSet() ? 'set' : 'unset'}>`;
  }
}

registerShareable('weft.Event', (state) => Event.fromShared(state));
