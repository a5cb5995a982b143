// FIFO waiter lists for the in-thread primitives (weft/asyncio's locks and
// queues, weft/green's pools and joins).
//
// Cancellation safety comes from one rule: a waiter is settled exactly once,
// and whoever settles it first removes it from its list in the same
// synchronous step. A grant (lock handed over, item handed over) resolves the
// promise and detaches the timer and abort listener; an abort or timeout
// removes the waiter before anything can be granted to it. One thread runs
// all of this, so there is no window in which a grant and an abort can both
// happen: an aborted `get()` has received no item, an aborted `acquire()`
// holds no permit, and a granted one keeps what it was given even if its
// signal aborts a moment later.

import { at, cancel } from './scheduler.js';
import type { Entry } from './scheduler.js';
import { now } from './wait.js';

/** One parked caller. `data` is what it brought (a queue putter's item, say). */
export class Waiter<T, D> {
  prev: Waiter<T, D> | undefined = undefined;
  next: Waiter<T, D> | undefined = undefined;
  /** The list it waits in; undefined once settled. */
  list: WaiterList<T, D> | undefined;
  resolve: (value: T) => void = noop;
  reject: (reason: unknown) => void = noop;
  timer: Entry | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  readonly data: D;

  constructor(list: WaiterList<T, D>, data: D) {
    this.list = list;
    this.data = data;
  }
}

/** Called when a waiter's timeout passes, after it left its list; it must settle the waiter. */
export type OnTimeout<T, D> = (waiter: Waiter<T, D>) => void;

/** A doubly linked FIFO of waiters: O(1) append, shift and removal. */
export class WaiterList<T, D = undefined> {
  #head: Waiter<T, D> | undefined = undefined;
  #tail: Waiter<T, D> | undefined = undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The longest-waiting waiter, or undefined. */
  first(): Waiter<T, D> | undefined {
    return this.#head;
  }

  /**
   * Parks a caller at the tail. The promise settles through `grant` / `fail`,
   * or through `onTimeout` after `timeout` ms, or rejects with `signal.reason`
   * when `signal` aborts; in each case the waiter has left the list first.
   * The caller checks `signal.aborted` before parking.
   */
  park(data: D, timeout = Infinity, signal?: AbortSignal, onTimeout?: OnTimeout<T, D>): Promise<T> {
    const w = new Waiter<T, D>(this, data);
    // A shared executor instead of a closure per call: the hot path of every
    // contended acquire allocates the waiter and the promise, nothing else.
    const promise = new Promise<T>(capture);
    w.resolve = captured.resolve as (value: T) => void;
    w.reject = captured.reject;
    this.#append(w);
    if (timeout !== Infinity && onTimeout !== undefined) {
      w.timer = at(now() + timeout, () => {
        w.timer = undefined;
        if (this.#detach(w)) onTimeout(w);
      });
    }
    if (signal !== undefined) {
      const onAbort = (): void => {
        w.onAbort = undefined;
        if (this.#detach(w)) w.reject(signal.reason);
      };
      w.signal = signal;
      w.onAbort = onAbort;
      signal.addEventListener('abort', onAbort, { once: true });
    }
    return promise;
  }

  /** Removes `w` and resolves it with `value`. */
  grant(w: Waiter<T, D>, value: T): void {
    if (this.#detach(w)) w.resolve(value);
  }

  /** Removes `w` and rejects it with `reason`. */
  fail(w: Waiter<T, D>, reason: unknown): void {
    if (this.#detach(w)) w.reject(reason);
  }

  /** Resolves every waiter with `value`, oldest first. */
  grantAll(value: T): void {
    for (let w = this.#head; w !== undefined; w = this.#head) this.grant(w, value);
  }

  /** Rejects every waiter with the error `make()` returns, oldest first. */
  failAll(make: () => unknown): void {
    for (let w = this.#head; w !== undefined; w = this.#head) this.fail(w, make());
  }

  #append(w: Waiter<T, D>): void {
    const tail = this.#tail;
    w.prev = tail;
    if (tail === undefined) this.#head = w;
    else tail.next = w;
    this.#tail = w;
    this.#size++;
  }

  // Unlinks `w` and drops its timer and abort listener; false if already settled.
  #detach(w: Waiter<T, D>): boolean {
    if (w.list !== this) return false;
    w.list = undefined;
    const { prev, next } = w;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    w.prev = w.next = undefined;
    this.#size--;
    if (w.timer !== undefined) {
      cancel(w.timer);
      w.timer = undefined;
    }
    if (w.onAbort !== undefined) {
      w.signal!.removeEventListener('abort', w.onAbort);
      w.onAbort = undefined;
    }
    w.signal = undefined;
    return true;
  }
}

function noop(): void {}

const captured: { resolve: (value: never) => void; reject: (reason: unknown) => void } = {
  resolve: noop,
  reject: noop,
};

function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}
