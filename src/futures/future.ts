// A Future is Python's concurrent.futures.Future, and it *is* a native
// Promise (a subclass whose instances report `constructor === Promise`). That
// matters for speed: `await future` and `Promise.all(futures)` then take V8's
// native path instead of the thenable protocol, which costs two more promises
// and a job per future. Its own state (pending / running / cancelled /
// finished) lives in plain fields beside the promise's, since a promise cannot
// say "running" or be cancelled. A failed or cancelled future that nobody
// awaits never becomes an unhandled rejection, as in Python.

import { argTypeError, describe } from '../internal/errors.js';
import { TimeoutError } from '../internal/errors.js';
import { setLongTimeout, type LongTimer } from '../internal/timer.js';
import { checkOptions, checkSignal, checkTimeout, WAIT_FORM } from '../internal/validate.js';
import { CancelledError, InvalidStateError } from './errors.js';
import type { WaitOptions } from '../internal/options.js';
import { inThreadOnly } from '../internal/classes.js';

const PENDING = 0;
const RUNNING = 1;
const CANCELLED = 2;
const FINISHED = 3;
const STATES = ['pending', 'running', 'cancelled', 'finished'] as const;

/** What an executor lets its futures ask it: whether a queued task can still be taken back, and whether it has started. */
export interface FutureOwner {
  /** Takes a task that has not started back, so it will never run. False once it has started. */
  tryCancel(future: Future<unknown>): boolean;
  /** Whether the task has started in a worker (it may not know yet that it has). */
  isRunning(future: Future<unknown>): boolean;
}

/**
 * Options of {@link Future.result} and {@link Future.exception}: the shared
 * {@link WaitOptions}; when `timeout` passes they throw `TimeoutError`.
 */
export type FutureWaitOptions = WaitOptions;

type Waiter = (future: Future<unknown>) => void;

const NONE: unique symbol = Symbol('none');

// The resolving functions of the promise being constructed, handed out of
// the Promise constructor without a closure per future.
const captured: {
  resolve: ((value: unknown) => void) | undefined;
  reject: ((error: unknown) => void) | undefined;
} = { resolve: undefined, reject: undefined };

function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

function both(
  executor: (resolve: (value: unknown) => void, reject: (error: unknown) => void) => void,
) {
  return (resolve: (value: unknown) => void, reject: (error: unknown) => void): void => {
    capture(resolve, reject);
    executor(resolve, reject);
  };
}

function noop(): void {}
export { NONE };

// Executor-side access to a future's private state (set in the class's static block).

/** @internal Lets an executor answer `cancel()` and `running()` for the future. */
export let own: (future: Future<unknown>, owner: FutureOwner) => void;
/** @internal Finishes a future; false if it was already done (no throw). */
export let settle: (future: Future<unknown>, failed: boolean, value: unknown) => boolean;
/** @internal Marks a pending future running; false if it is not pending. */
export let markRunning: (future: Future<unknown>) => boolean;
/** @internal Calls `waiter(future)` once done; false (and no call) if already done. */
export let addWaiter: (future: Future<unknown>, waiter: Waiter) => boolean;
/** @internal Removes a waiter added with `addWaiter`. */
export let removeWaiter: (future: Future<unknown>, waiter: Waiter) => void;
/** @internal Cancels a future even if its task was sent (the pool is being terminated); false if already done. */
export let forceCancel: (future: Future<unknown>) => boolean;
/** @internal The error of a future that finished by failing, else `NONE`. */
export let failedWith: (future: Future<unknown>) => unknown;

/**
 * The eventual outcome of a task: Python's `concurrent.futures.Future`, and a
 * thenable, so `await future` works. States: pending → running → finished,
 * or pending → cancelled. *Running* means the task has started in a worker.
 *
 * Executors make futures; `new Future()` with {@link Future.setResult} /
 * {@link Future.setException} is for executor implementations and tests, as
 * in Python.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor, tasks } from 'weft/futures';
 * const work = tasks<typeof import('./work.js')>(new URL('./work.js', import.meta.url));
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const future = pool.submit(work.gcd, 1231312, 434344);
 * future.addDoneCallback((f) => console.log('done:', f.done()));
 * console.log(await future); // 8
 * ```
 */
export class Future<T = unknown> extends Promise<T> {
  #state: number = PENDING;
  #failed = false;
  #value: unknown = undefined;
  // Typed loosely so Future<T> stays covariant in T (a Future<number> is a Future<unknown>).
  #callbacks: ((future: never) => void)[] | undefined = undefined;
  #waiters: Waiter[] | undefined = undefined;
  #resolve: (value: unknown) => void;
  #reject: (error: unknown) => void;
  #owner: FutureOwner | undefined = undefined;

  /**
   * A pending future. Executors make futures; make one yourself only to
   * implement an executor or in tests (Python's rule), and settle it with
   * {@link Future.setResult} / {@link Future.setException}.
   */
  constructor(executor?: never) {
    // `executor` is only given when a Promise static (Future.resolve, …) builds one.
    super((executor === undefined ? capture : both(executor)) as never);
    this.#resolve = captured.resolve!;
    this.#reject = captured.reject!;
    captured.resolve = captured.reject = undefined;
  }

  /** Promise methods (`then`, `finally`, …) on a future return plain promises. */
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  static {
    own = (future, owner) => {
      future.#owner = owner;
    };
    settle = (future, failed, value) => future.#settle(FINISHED, failed, value);
    markRunning = (future) => {
      if (future.#state !== PENDING) return false;
      future.#state = RUNNING;
      return true;
    };
    addWaiter = (future, waiter) => {
      if (future.#state >= CANCELLED) return false;
      (future.#waiters ??= []).push(waiter);
      return true;
    };
    removeWaiter = (future, waiter) => {
      const list = future.#waiters;
      if (list === undefined) return;
      const i = list.indexOf(waiter);
      if (i >= 0) list.splice(i, 1);
    };
    forceCancel = (future) => future.#settle(CANCELLED, true, undefined);
    failedWith = (future) => (future.#state === FINISHED && future.#failed ? future.#value : NONE);
  }

  /**
   * Cancels the task if it has not started. Python's `cancel()`.
   *
   * @returns `true` if the future is now cancelled (also if it already was),
   * `false` if the task is running or finished.
   */
  cancel(): boolean {
    const state = this.#state;
    if (state === CANCELLED) return true;
    if (state !== PENDING) return false;
    if (this.#owner !== undefined && !this.#owner.tryCancel(this)) {
      this.#state = RUNNING;
      return false;
    }
    this.#settle(CANCELLED, true, undefined);
    return true;
  }

  /** Whether the future was cancelled. */
  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /** Whether the task is running now (started in a worker, not finished). */
  running(): boolean {
    if (this.#state === PENDING && this.#owner?.isRunning(this) === true) {
      this.#state = RUNNING;
    }
    return this.#state === RUNNING;
  }

  /** Whether the future is finished or cancelled. */
  done(): boolean {
    return this.#state >= CANCELLED;
  }

  /**
   * Waits for the outcome and returns the result; rethrows the task's error.
   *
   * @returns The task's return value.
   * @throws {CancelledError} if the future was cancelled.
   * @throws {TimeoutError} `ERR_TIMEOUT` if it is not done within `timeout` ms.
   * @throws The task's own error, as the task threw it.
   * @example
   * ```ts
   * const value = await future.result({ timeout: 1000 });
   * ```
   */
  async result(options: FutureWaitOptions = {}): Promise<T> {
    await this.#whenDone(options);
    if (this.#state === CANCELLED) throw new CancelledError();
    if (this.#failed) throw this.#value;
    return this.#value as T;
  }

  /**
   * Waits for the outcome and returns the task's error, or `undefined` if it
   * succeeded.
   *
   * @throws {CancelledError} if the future was cancelled.
   * @throws {TimeoutError} `ERR_TIMEOUT` if it is not done within `timeout` ms.
   * @example
   * ```ts
   * const error = await future.exception({ timeout: 1000 });
   * ```
   */
  async exception(options: FutureWaitOptions = {}): Promise<unknown> {
    await this.#whenDone(options);
    if (this.#state === CANCELLED) throw new CancelledError();
    return this.#failed ? this.#value : undefined;
  }

  /**
   * Calls `fn(future)` once the future is finished or cancelled; at once if
   * it already is. An error thrown by `fn` is reported as a process warning
   * (`WEFT_CALLBACK_ERROR`) and later callbacks still run.
   *
   * @example
   * ```ts
   * future.addDoneCallback((f) => console.log(f.cancelled() ? 'cancelled' : 'done'));
   * ```
   */
  addDoneCallback(fn: (future: this) => void): void {
    if (typeof fn !== 'function') {
      throw argTypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
    }
    if (this.#state >= CANCELLED) call(fn, this);
    else (this.#callbacks ??= []).push(fn);
  }

  /**
   * Marks the future running, or reports that it was cancelled. For executor
   * implementations: call it before running the task. Python's
   * `set_running_or_notify_cancel()`.
   *
   * @returns `false` if the future was cancelled (do not run the task), `true` if it is now running.
   * @throws {InvalidStateError} if it is already running or finished.
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.#state === CANCELLED) return false;
    if (this.#state !== PENDING) {
      throw new InvalidStateError(`Future in unexpected state: ${this.toString()}`);
    }
    this.#state = RUNNING;
    return true;
  }

  /**
   * Finishes the future with a result. For executor implementations and tests.
   *
   * @throws {InvalidStateError} `ERR_INVALID_STATE` if the future is already done.
   */
  setResult(value: T): void {
    if (!this.#settle(FINISHED, false, value)) {
      throw new InvalidStateError(`${STATES[this.#state]!.toUpperCase()}: ${this.toString()}`);
    }
  }

  /**
   * Finishes the future with an error. For executor implementations and tests.
   *
   * @throws {InvalidStateError} `ERR_INVALID_STATE` if the future is already done.
   */
  setException(error: unknown): void {
    if (!this.#settle(FINISHED, true, error)) {
      throw new InvalidStateError(`${STATES[this.#state]!.toUpperCase()}: ${this.toString()}`);
    }
  }

  /** `<Future state=finished returned number>`, as Python prints it. */
  override toString(): string {
    const state = this.running() ? RUNNING : this.#state;
    let text = `<Future state=${STATES[state]}`;
    if (state === FINISHED) {
      const value = this.#value;
      text += this.#failed
        ? ` raised ${value instanceof Error ? value.name : typeof value}`
        : ` returned ${value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
    }
    return `${text}>`;
  }

  /** `'Future'`, for `Object.prototype.toString`. */
  override get [Symbol.toStringTag](): string {
    return 'Future';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  #settle(state: number, failed: boolean, value: unknown): boolean {
    if (this.#state >= CANCELLED) return false;
    this.#state = state;
    this.#failed = failed;
    this.#value = value;
    this.#owner = undefined;
    if (failed) {
      // Handled from the start: nobody has to await a failed future (Python).
      this.then(undefined, noop);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the task's own thrown value, as thrown
      this.#reject(state === CANCELLED ? new CancelledError() : value);
    } else this.#resolve(value);
    const waiters = this.#waiters;
    if (waiters !== undefined) {
      this.#waiters = undefined;
      for (const waiter of waiters) waiter(this);
    }
    const callbacks = this.#callbacks;
    if (callbacks !== undefined) {
      this.#callbacks = undefined;
      for (const fn of callbacks) call(fn as (future: this) => void, this);
    }
    return true;
  }

  async #whenDone(options: FutureWaitOptions): Promise<void> {
    checkOptions(options, 'future.result(options)', WAIT_FORM);
    const timeout = checkTimeout(options.timeout);
    const signal = checkSignal(options.signal);
    // The one rule for an aborted signal (docs/architecture.md, Waiting):
    // it rejects with its reason even when the future is already done.
    signal?.throwIfAborted();
    if (this.#state >= CANCELLED) return;
    if (timeout === 0) throw new TimeoutError(`The future is not done: ${this.toString()}`);
    await new Promise<void>((resolve, reject) => {
      let timer: LongTimer | undefined;
      const finish = (): void => {
        timer?.clear();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        removeWaiter(this, finish);
        timer?.clear();
        reject(signal!.reason as Error);
      };
      addWaiter(this, finish);
      if (timeout !== Infinity) {
        timer = setLongTimeout(() => {
          removeWaiter(this, finish);
          signal?.removeEventListener('abort', onAbort);
          reject(new TimeoutError(`The future is not done after ${timeout} ms`));
        }, timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function call<F>(fn: (future: F) => void, future: F): void {
  try {
    fn(future);
  } catch (error) {
    process.emitWarning(`exception calling callback for ${String(future)}`, {
      type: 'FutureCallbackError',
      code: 'WEFT_CALLBACK_ERROR',
      detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
}

/**
 * Makes instances of `cls` (Future or a subclass) answer `constructor ===
 * Promise`, so V8's PromiseResolve (used by `await` and `Promise.all`)
 * adopts them directly instead of treating them as foreign thenables.
 */
export function nativeFastPath(cls: { prototype: object }): void {
  Object.defineProperty(cls.prototype, 'constructor', {
    value: Promise,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

nativeFastPath(Future);

inThreadOnly(
  Future,
  'weft/futures',
  'send its result (await it first), or share state with weft/shared or weft/queue',
);
