import { AsyncResource } from 'node:async_hooks';
import { argTypeError, describe, StateError } from '../internal/errors.js';
import * as keepalive from '../internal/keepalive.js';
import { at, cancel, soon } from '../internal/scheduler.js';
import type { Entry } from '../internal/scheduler.js';
import { checkTimeout } from '../internal/validate.js';
import { now } from '../internal/wait.js';

/** What an exception handler receives about an error thrown by a callback. */
export interface ExceptionContext {
  /** What was thrown. */
  readonly error: unknown;
  /** The callback's handle. */
  readonly handle: Handle;
  /** A description of where it was thrown. */
  readonly message: string;
}

/** Receives errors thrown by callbacks scheduled on an {@link EventLoop}. */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/**
 * A callback scheduled with `callSoon` (Python's `asyncio.Handle`).
 *
 * @example
 * ```ts
 * const handle = getEventLoop().callSoon(() => console.log('never printed'));
 * handle.cancel();
 * handle.cancelled(); // true
 * ```
 */
export class Handle {
  #entry: Entry | undefined;
  #cancelled = false;
  readonly #name: string;
  readonly #loop: EventLoop;

  /** @internal */
  constructor(loop: EventLoop, name: string) {
    this.#loop = loop;
    this.#name = name;
  }

  /** @internal */
  _bind(entry: Entry): void {
    this.#entry = entry;
  }

  /** Cancels the callback if it has not run yet; no effect otherwise. */
  cancel(): void {
    this.#cancelled = true;
    if (this.#entry !== undefined) {
      cancel(this.#entry);
      this.#entry = undefined;
    }
    this.#loop._forget(this);
  }

  /** Whether `cancel()` was called. */
  cancelled(): boolean {
    return this.#cancelled;
  }

  /** @internal Marks it run. */
  _ran(): void {
    this.#entry = undefined;
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    return `<${this.constructor.name} ${this.#name}${this.#cancelled ? ' cancelled' : ''}>`;
  }
}

/**
 * A callback scheduled with `callLater` or `callAt` (Python's `asyncio.TimerHandle`).
 *
 * @example
 * ```ts
 * const loop = getEventLoop();
 * const handle = loop.callLater(100, () => console.log('late'));
 * handle.when() - loop.time(); // about 100
 * ```
 */
export class TimerHandle extends Handle {
  readonly #when: number;

  /** @internal */
  constructor(loop: EventLoop, name: string, when: number) {
    super(loop, name);
    this.#when = when;
  }

  /** The loop time (ms, {@link EventLoop.time}) at which the callback is due. */
  when(): number {
    return this.#when;
  }
}

/**
 * The thread's event loop, seen the asyncio way (a facade over Node's loop,
 * which always runs): `time()`, `callSoon`, `callLater`, `callAt`.
 * Get it with {@link getEventLoop}.
 *
 * Ordering, as in asyncio: `callSoon` callbacks run first-in-first-out, in
 * the next pass of the loop; timed callbacks run no earlier than their time
 * (on the monotonic clock of `time()`), ordered by time and, for the same
 * time, first-in-first-out; a pass runs the callbacks that were ready when it
 * began, and timed callbacks that became due join after those.
 *
 * @remarks Scheduled callbacks keep the process alive, like `setTimeout`.
 * A callback runs in the async context (AsyncLocalStorage) it was scheduled
 * from. An error thrown by a callback goes to the exception handler, or by
 * default becomes an uncaught exception, as from a `setTimeout` callback.
 * @example
 * ```ts
 * const loop = getEventLoop();
 * loop.callLater(200, (n) => console.log('callback', n), 1);
 * loop.callLater(100, (n) => console.log('callback', n), 2);
 * loop.callSoon((n) => console.log('callback', n), 3);
 * // callback 3, callback 2, callback 1
 * ```
 */
export class EventLoop {
  readonly #pending = new Set<Handle>();
  #closed = false;
  #handler: ExceptionHandler | undefined;

  /** The loop's clock: monotonic ms (`performance.now()`), the time base of `callAt`. */
  time(): number {
    return now();
  }

  /**
   * Schedules `fn(...args)` for the next pass of the loop, after the callbacks already scheduled.
   *
   * @returns A handle that can cancel it.
   * @throws {StateError} `ERR_LOOP_CLOSED` after `close()`.
   */
  callSoon<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): Handle {
    const handle = new Handle(this, nameOf(fn, 'fn'));
    handle._bind(soon(this.#wrap(handle, fn, args)));
    this.#pending.add(handle);
    return handle;
  }

  /**
   * Schedules `fn(...args)` to run `delay` ms from now (no earlier).
   *
   * @param delay - Ms from now, >= 0.
   * @throws {RangeError} for a negative delay. {@link StateError} `ERR_LOOP_CLOSED` after `close()`.
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): TimerHandle {
    const ms = checkTimeout(delay, 'delay');
    return this.callAt(now() + ms, fn, ...args);
  }

  /**
   * Schedules `fn(...args)` to run when {@link EventLoop.time} reaches `when`
   * (at the next pass if it has already).
   *
   * @param when - Loop time in ms; `Infinity` never runs.
   * @throws {TypeError} when `when` is not a number.
   */
  callAt<A extends unknown[]>(when: number, fn: (...args: A) => unknown, ...args: A): TimerHandle {
    if (typeof when !== 'number' || Number.isNaN(when)) {
      throw argTypeError(`Expected \`when\` to be a loop time in ms, got ${describe(when)}`);
    }
    const handle = new TimerHandle(this, nameOf(fn, 'fn'), when);
    const run = this.#wrap(handle, fn, args);
    if (when !== Infinity) handle._bind(at(when, run));
    this.#pending.add(handle);
    return handle;
  }

  /**
   * Waits for `future` (a promise, or an async function to call), keeping
   * the process alive until it settles, as Python's `run_until_complete`
   * runs the loop until the future is done.
   *
   * @returns What the future resolves to; rejects with its error.
   * @example
   * ```ts
   * const loop = getEventLoop();
   * try {
   *   await loop.runUntilComplete(main(loop));
   * } finally {
   *   loop.close();
   * }
   * ```
   */
  async runUntilComplete<T>(future: PromiseLike<T> | (() => PromiseLike<T> | T)): Promise<T> {
    this.#checkOpen();
    keepalive.hold();
    try {
      return await (typeof future === 'function' ? future() : future);
    } finally {
      keepalive.release();
    }
  }

  /**
   * Closes the loop: callbacks scheduled on it and not yet run are dropped
   * (as in Python), and scheduling on it throws from now on;
   * {@link getEventLoop} then returns a new loop. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const handle of [...this.#pending]) handle.cancel();
    if (current === this) current = undefined;
  }

  /** Whether `close()` was called. */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Sets the function that receives errors thrown by callbacks (`undefined`
   * restores the default: an uncaught exception).
   */
  setExceptionHandler(handler: ExceptionHandler | undefined): void {
    if (handler !== undefined && typeof handler !== 'function') {
      throw argTypeError(`Expected \`handler\` to be a function, got ${describe(handler)}`);
    }
    this.#handler = handler;
  }

  /** @internal A handle cancelled itself. */
  _forget(handle: Handle): void {
    this.#pending.delete(handle);
  }

  #checkOpen(): void {
    if (this.#closed) throw new StateError('ERR_LOOP_CLOSED', 'The event loop is closed');
  }

  #wrap<A extends unknown[]>(handle: Handle, fn: (...args: A) => unknown, args: A): () => void {
    this.#checkOpen();
    if (typeof fn !== 'function') {
      throw argTypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
    }
    // Runs in the async context of the caller, as setTimeout's callback would.
    const bound = AsyncResource.bind(() => fn(...args));
    return () => {
      this.#pending.delete(handle);
      handle._ran();
      try {
        bound();
      } catch (error) {
        const handler = this.#handler;
        if (handler === undefined) throw error;
        handler(this, { error, handle, message: `Exception in callback ${String(handle)}` });
      }
    };
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    return `<EventLoop ${this.#closed ? 'closed' : 'open'} pending=${this.#pending.size}>`;
  }
}

let current: EventLoop | undefined;

/**
 * The thread's event loop (created on first use, and again after `close()`).
 *
 * @example
 * ```ts
 * const loop = getEventLoop();
 * loop.callSoon(() => console.log('soon'));
 * ```
 */
export function getEventLoop(): EventLoop {
  return (current ??= new EventLoop());
}

function nameOf(fn: unknown, what: string): string {
  return typeof fn === 'function' ? `${fn.name || 'anonymous'}()` : what;
}
