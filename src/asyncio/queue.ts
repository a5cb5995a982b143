import { rejected } from '../internal/reject.js';
import { Deque } from '../internal/deque.js';
import { argTypeError, describe, StateError } from '../internal/errors.js';
import { QueueEmpty, QueueFull, QueueShutDown } from '../internal/queue-errors.js';
import {
  checkAcquire,
  checkInt,
  checkOptions,
  checkSignal,
  checkTimeout,
  QUEUE_FORM,
  WAIT_FORM,
} from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import type { Waiter } from '../internal/waiters.js';
import type { QueueWaitOptions, WaitOptions } from './options.js';
import { inThreadOnly } from '../internal/classes.js';

/** Options of a queue. */
export interface QueueOptions {
  /** Most items held at once; `0` for no limit. @default 0 */
  readonly maxsize?: number;
}

/** Options of `shutdown`. */
export interface ShutdownOptions {
  /** `true` drops the queued items too, and releases `join()`. @default false */
  readonly immediate?: boolean;
}

/**
 * Where a queue keeps its items; the ordering of a queue class.
 * Subclasses return their own from {@link Queue._store}.
 */
export interface QueueStore<T> {
  /** How many items it holds. */
  readonly length: number;
  /** Adds an item. Throws, changing nothing, if the item cannot be stored. */
  push(item: T): void;
  /** Removes and returns the next item (called only when `length > 0`). */
  shift(): T;
  /** Checks that an item could be stored, without storing it (throws TypeError if not). */
  check?(item: T): void;
  /** Drops every item (`shutdown({ immediate: true })`). */
  clear(): void;
}

const RESOLVED: Promise<void> = Promise.resolve();
const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);

function timedOutFalse(w: Waiter<boolean, undefined>): void {
  w.resolve(false);
}

/**
 * A first-in-first-out queue for the tasks of one thread (Python's
 * `asyncio.Queue`, with the API of weft/queue's `Queue` minus the blocking
 * forms). Items are held by reference, never copied.
 *
 * Waiting `put`s and `get`s are served first-come first-served, and an item
 * goes straight to a waiting `get`. `shutdown()` follows Python 3.13, and
 * `for await` over the queue ends at shutdown.
 *
 * @remarks Cancellation: an aborted or timed-out `get()` has taken no item
 * (none is lost), and an aborted `put()` has added none; a `get()` that was
 * handed an item keeps it even if its signal aborts afterwards.
 * @example
 * ```ts
 * const q = new Queue<string>({ maxsize: 10 });
 * const worker = (async () => {
 *   for await (const job of q) {
 *     await sleep(10); // the work
 *     console.log('done', job);
 *     q.taskDone();
 *   }
 * })();
 * await q.put('a');
 * await q.put('b');
 * await q.join(); // every item processed
 * q.shutdown();
 * await worker;
 * ```
 */
export class Queue<T> implements AsyncIterable<T> {
  #maxsize: number;
  readonly #store: QueueStore<T>;
  readonly #getters = new WaiterList<T>();
  readonly #putters = new WaiterList<void, T>();
  readonly #joiners = new WaiterList<boolean>();
  #unfinished = 0;
  #shutdown = false;

  /**
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative `maxsize`;
   * {@link TypeError} `ERR_INVALID_ARG_TYPE` for a non-integer one, or for
   * options that are not an object (`new Queue(5)` is `new Queue({ maxsize: 5 })`).
   */
  constructor(options?: QueueOptions) {
    options = checkOptions(options, 'new Queue(options)', '{ maxsize: 5 }');
    this.#maxsize = checkInt(options.maxsize ?? 0, 'maxsize', 0);
    this.#store = this._store();
  }

  /**
   * The storage, and so the order, of this queue class: called once by the
   * constructor. Override it to make a queue with another order.
   */
  protected _store(): QueueStore<T> {
    return new Deque<T>();
  }

  /**
   * Most items held at once; `0` for no limit. Settable, as in Python's
   * `queue.Queue`: raising it admits waiting puts; lowering it keeps the
   * items already queued.
   */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** @throws {RangeError} for a negative or non-integer value. */
  set maxsize(value: number) {
    this.#maxsize = checkInt(value, 'maxsize', 0);
    while (!this.full() && this.#putters.size > 0) this.#admitPutter();
  }

  /** Number of items in the queue. */
  qsize(): number {
    return this.#store.length;
  }

  /** Whether the queue holds no item. */
  empty(): boolean {
    return this.#store.length === 0;
  }

  /** Whether the queue holds `maxsize` items (never, when unbounded). */
  full(): boolean {
    return this.#maxsize > 0 && this.#store.length >= this.#maxsize;
  }

  /** Whether `shutdown()` was called (Python's `is_shutdown`). */
  get isShutdown(): boolean {
    return this.#shutdown;
  }

  /**
   * Puts an item, waiting while the queue is full.
   *
   * @throws {QueueFull} (rejects) with `block: false` or on timeout;
   * {@link QueueShutDown} (rejects) once shut down; {@link RangeError} for a
   * negative timeout or a timeout with `block: false`.
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    try {
      return this.#put(item, options);
    } catch (error) {
      return rejected(error);
    }
  }

  #put(item: T, options?: QueueWaitOptions): Promise<void> {
    checkOptions(options, 'queue.put(item, options)', QUEUE_FORM);
    const timeout =
      options === undefined ? Infinity : checkAcquire(options.block, options.timeout, 'block');
    const signal = checkSignal(options?.signal);
    if (this.#shutdown) return Promise.reject(new QueueShutDown());
    if (!this.full()) {
      this.#add(item);
      return RESOLVED;
    }
    if (timeout === 0) return Promise.reject(new QueueFull());
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.#store.check?.(item);
    return this.#putters.park(item, timeout, signal, putTimedOut);
  }

  /**
   * Puts an item if there is room now.
   *
   * @throws {QueueFull} when full; {@link QueueShutDown} once shut down.
   */
  putNowait(item: T): void {
    if (this.#shutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this.#add(item);
  }

  /**
   * Removes and returns the next item, waiting while the queue is empty.
   *
   * @throws {QueueEmpty} (rejects) with `block: false` or on timeout;
   * {@link QueueShutDown} (rejects) once shut down and empty.
   */
  get(options?: QueueWaitOptions): Promise<T> {
    try {
      return this.#get(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #get(options?: QueueWaitOptions): Promise<T> {
    checkOptions(options, 'queue.get(options)', QUEUE_FORM);
    const timeout =
      options === undefined ? Infinity : checkAcquire(options.block, options.timeout, 'block');
    const signal = checkSignal(options?.signal);
    if (this.#store.length > 0) return Promise.resolve(this.#take());
    if (this.#shutdown) return Promise.reject(new QueueShutDown());
    if (timeout === 0) return Promise.reject(new QueueEmpty());
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return this.#getters.park(undefined, timeout, signal, getTimedOut);
  }

  /**
   * Removes and returns the next item if there is one now.
   *
   * @throws {QueueEmpty} when empty; {@link QueueShutDown} once shut down and empty.
   */
  getNowait(): T {
    if (this.#store.length > 0) return this.#take();
    if (this.#shutdown) throw new QueueShutDown();
    throw new QueueEmpty();
  }

  /**
   * Marks one item taken with `get` as processed, for `join()`.
   *
   * @throws {StateError} `ERR_TASK_DONE_TOO_MANY` when called more times than items were put.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new StateError('ERR_TASK_DONE_TOO_MANY', 'taskDone() called too many times');
    }
    if (--this.#unfinished === 0) this.#joiners.grantAll(true);
  }

  /**
   * Waits until every item put has been marked done with `taskDone()` (or
   * dropped by `shutdown({ immediate: true })`).
   *
   * @returns `true`, or `false` if `timeout` passed first.
   * @remarks Cancellation: an aborted `join()` rejects with `signal.reason`.
   */
  join(options?: WaitOptions): Promise<boolean> {
    try {
      return this.#join(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #join(options?: WaitOptions): Promise<boolean> {
    checkOptions(options, 'queue.join(options)', WAIT_FORM);
    const timeout = checkTimeout(options?.timeout);
    const signal = checkSignal(options?.signal);
    if (this.#unfinished === 0) return RESOLVED_TRUE;
    if (timeout === 0) return RESOLVED_FALSE;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return this.#joiners.park(undefined, timeout, signal, timedOutFalse);
  }

  /**
   * Shuts the queue down (Python 3.13): `put` throws `QueueShutDown` from
   * now on, and so does `get` once the queue is empty; waiting `put`s and
   * `get`s reject with it now. `immediate` drops the queued items too,
   * counting them done for `join()`. Idempotent.
   */
  shutdown(options?: ShutdownOptions): void {
    checkOptions(options, 'queue.shutdown(options)', '{ immediate: true }');
    const immediate = options?.immediate ?? false;
    if (typeof immediate !== 'boolean') {
      throw argTypeError(`Expected \`immediate\` to be a boolean, got ${describe(immediate)}`);
    }
    this.#shutdown = true;
    if (immediate) {
      const dropped = Math.min(this.#store.length, this.#unfinished);
      this.#store.clear();
      this.#unfinished -= dropped;
      if (this.#unfinished === 0) this.#joiners.grantAll(true);
    }
    // Getters wait only while the queue is empty: all of them fail now.
    this.#getters.failAll(() => new QueueShutDown());
    this.#putters.failAll(() => new QueueShutDown());
  }

  /**
   * Yields items as they arrive (each one a `get()`), ending once the queue
   * is shut down and empty. Items still need `taskDone()` for `join()`.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error instanceof QueueShutDown) return;
        throw error;
      }
      yield item;
    }
  }

  // Adds an item there is room for: straight to the first waiting getter
  // (there is one only while the queue is empty), else into the store.
  #add(item: T): void {
    const getter = this.#getters.first();
    if (getter !== undefined) {
      this.#store.check?.(item);
      this.#unfinished++;
      this.#getters.grant(getter, item);
    } else {
      this.#store.push(item);
      this.#unfinished++;
    }
  }

  // Removes the next item; a waiting putter (there is one only while the
  // queue is full) then takes the freed room.
  #take(): T {
    const item = this.#store.shift();
    if (this.#putters.size > 0 && !this.full()) this.#admitPutter();
    return item;
  }

  // Moves the first waiting putter's item that can be stored into the store.
  #admitPutter(): void {
    for (let putter = this.#putters.first(); putter !== undefined; putter = this.#putters.first()) {
      try {
        this.#store.push(putter.data);
      } catch (error) {
        this.#putters.fail(putter, error);
        continue;
      }
      this.#unfinished++;
      this.#putters.grant(putter, undefined);
      return;
    }
  }

  toString(): string {
    return `<${this.constructor.name} maxsize=${this.#maxsize} qsize=${this.#store.length} tasks=${this.#unfinished}${this.#shutdown ? ' shutdown' : ''}>`;
  }
}

function getTimedOut<T>(w: Waiter<T, undefined>): void {
  w.reject(new QueueEmpty());
}

function putTimedOut<T>(w: Waiter<void, T>): void {
  w.reject(new QueueFull());
}

inThreadOnly(Queue, 'weft/asyncio', 'across threads, use the queues of weft/queue');
