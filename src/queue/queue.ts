import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { abortedRejection, deadlineOf, runAsync, runSync } from '../internal/blocking.js';
import { QueueShutDown } from '../internal/queue-errors.js';
import {
  checkAcquire,
  checkBoolean,
  checkInt,
  checkOptions,
  checkSignal,
  checkTimeout,
  QUEUE_FORM,
  WAIT_FORM,
  WAIT_SYNC_FORM,
} from '../internal/validate.js';
import type { QueueBackend, QueueState } from './backend.js';
import { RingQueue } from './ring-queue.js';
import { Ring, RING_MAX } from './ring.js';
import { openDirectory } from './sab-directory.js';
import { StoreQueue } from './store-queue.js';
import { DEFAULT_MAX_BYTES, FIFO, LIFO, PRIORITY, Store } from './store.js';

/** Options of a queue. */
export interface QueueOptions {
  /**
   * Most items at once; `0` means unbounded, as in Python. A `Queue` (FIFO)
   * with `1 <= maxsize <= 16384` is lock-free: producers and consumers never
   * share a lock, which is what makes it fast across threads. @default 0
   */
  readonly maxsize?: number;
  /** Ceiling of the item storage in bytes; past it `put` throws `ERR_QUEUE_MEMORY`. @default 64 MiB */
  readonly maxBytes?: number;
}

// One set of option types for every module (internal/options.ts).
export type { QueueWaitOptions, QueueWaitSyncOptions } from '../internal/options.js';
import type {
  QueueWaitOptions,
  QueueWaitSyncOptions,
  WaitOptions,
  WaitSyncOptions,
} from '../internal/options.js';

let restoring: QueueState | undefined;

/**
 * A first-in-first-out queue shared across threads (Python's `queue.Queue`):
 * pass it to threads and every copy works on the same items. Items are copied
 * (structured clone); shareables inside items (locks, values, queues) arrive live.
 *
 * @remarks Thread safety: any number of producers and consumers, in any
 * threads, at once. Cancellation: an aborted `put` puts nothing and an
 * aborted `get` takes nothing. Thread death: a weft thread (or pool worker)
 * that dies inside `put` or `get` (terminated, out of memory) costs at most
 * the item it was putting or taking, never a duplicate or a corrupted item;
 * the queue stays usable (a waiter takes over what the dead thread held
 * within about 100 ms, and parked waiters re-check every few seconds at
 * most). An item taken by a thread that died before `taskDone()` keeps
 * `join()` waiting: give `join` a timeout where threads may die.
 * @example
 * ```ts
 * import { Queue } from 'weft/queue';
 * const q = new Queue<number>({ maxsize: 64 });
 * await q.put(1);
 * console.log(await q.get()); // 1
 * q.taskDone();
 * await q.join();
 * ```
 */
export class Queue<T = unknown> implements Shareable, AsyncIterable<T> {
  // The storage backend, chosen once: a bounded FIFO queue (1 <= maxsize <=
  // RING_MAX at creation) keeps its items in a lock-free ring, every other
  // queue in the mutex-guarded store. Each owns its words and protocols.
  readonly #b: QueueBackend;

  /**
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative `maxsize` or a `maxBytes` below 1 KiB.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for options that are not an
   * object (`new Queue(5)` is `new Queue({ maxsize: 5 })`).
   */
  constructor(options?: QueueOptions) {
    const state = restoring;
    restoring = undefined;
    if (state?.ring !== undefined) this.#b = new RingQueue(new Ring(0, 0, 0, state.ring));
    else if (state?.store !== undefined) {
      this.#b = new StoreQueue(this.kind, new Store(0, 0, 0, state.store));
    } else {
      options = checkOptions(options, 'new Queue(options)', '{ maxsize: 5 }');
      const maxsize = checkInt(options.maxsize ?? 0, 'maxsize', 0, 2 ** 31 - 1);
      const maxBytes = checkInt(
        options.maxBytes ?? DEFAULT_MAX_BYTES,
        'maxBytes',
        1024,
        2 ** 31 - 1,
      );
      this.#b =
        this.kind === FIFO && maxsize >= 1 && maxsize <= RING_MAX
          ? new RingQueue(new Ring(FIFO, maxsize, maxBytes))
          : new StoreQueue(this.kind, new Store(this.kind, maxsize, maxBytes));
    }
    openDirectory();
  }

  /** @internal Which storage discipline (FIFO, LIFO, priority). */
  protected get kind(): number {
    return FIFO;
  }

  /** @internal */
  static fromShared(state: unknown): Queue {
    const s = state as QueueState;
    restoring = s;
    if (s.ring !== undefined) return new Queue();
    const kind = new Int32Array(s.store!.control)[2];
    if (kind === LIFO) return new LifoQueue();
    if (kind === PRIORITY) return new PriorityQueue();
    return new Queue();
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.Queue', state: this.#b.state() };
  }

  /**
   * Most items at once (0 = unbounded). Settable, as in Python, with one
   * limit: a `Queue` made with `1 <= maxsize <= 16384` sizes its lock-free
   * storage by it, so its maxsize can change between 1 and that first value
   * (other values throw a RangeError); other queues take any value.
   */
  get maxsize(): number {
    return this.#b.maxsize();
  }
  /** @throws {RangeError} for a value this queue cannot take (see the getter). */
  set maxsize(value: number) {
    checkInt(value, 'maxsize', 0, 2 ** 31 - 1);
    this.#b.setMaxsize(value);
  }

  /** Items in the queue now (a snapshot: other threads may change it at once). */
  qsize(): number {
    return this.#b.qsize();
  }

  /** Whether the queue is empty now. */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /** Whether the queue is full now. */
  full(): boolean {
    const max = this.maxsize;
    return max > 0 && this.qsize() >= max;
  }

  /** Whether `shutdown()` was called. */
  get isShutdown(): boolean {
    return this.#b.isShutdown();
  }

  /**
   * Puts `item`, waiting (without blocking the event loop) while the queue is full.
   *
   * @throws {QueueFull} when it stays full past `timeout`, or at once with `block: false`.
   * @throws {QueueShutDown} after `shutdown()`.
   * @throws {DOMException} `DataCloneError` for an item that cannot be cloned (the queue is unchanged).
   */
  async put(item: T, options?: QueueWaitOptions): Promise<void> {
    const timeout = waitTimeout(options);
    const signal = checkSignal(options?.signal);
    return abortedRejection(signal) ?? this.#b.put(item, timeout, signal);
  }

  /**
   * Puts `item`, blocking the calling thread while the queue is full.
   *
   * @remarks Blocking: stops this thread's event loop while it waits.
   * @throws {QueueFull} / {QueueShutDown} as `put`.
   */
  putSync(item: T, options?: QueueWaitSyncOptions): void {
    this.#b.putSync(item, waitTimeout(options));
  }

  /**
   * Puts `item` only if there is room now.
   *
   * @throws {QueueFull} when full; {QueueShutDown} after shutdown.
   */
  putNowait(item: T): void {
    this.#b.putSync(item, 0);
  }

  /**
   * Removes and returns the next item, waiting (without blocking the event loop) while empty.
   *
   * @throws {QueueEmpty} when it stays empty past `timeout`, or at once with `block: false`.
   * @throws {QueueShutDown} once shut down and empty.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that every error rejects; the item (or its promise) is returned as is
  async get(options?: QueueWaitOptions): Promise<T> {
    const timeout = waitTimeout(options);
    const signal = checkSignal(options?.signal);
    return (abortedRejection(signal) ?? this.#b.get(timeout, signal)) as T;
  }

  /**
   * Removes and returns the next item, blocking the calling thread while empty.
   *
   * @remarks Blocking: stops this thread's event loop while it waits.
   * @throws {QueueEmpty} / {QueueShutDown} as `get`.
   */
  getSync(options?: QueueWaitSyncOptions): T {
    return this.#b.getSync(waitTimeout(options)) as T;
  }

  /**
   * Removes and returns the next item only if one is there now.
   *
   * @throws {QueueEmpty} when empty; {QueueShutDown} once shut down and empty.
   */
  getNowait(): T {
    return this.#b.getSync(0) as T;
  }

  /**
   * Marks one item taken with `get` as fully processed (for `join`).
   *
   * @throws {StateError} `ERR_TASK_DONE_TOO_MANY` when called more times than items were put.
   */
  taskDone(): void {
    this.#b.taskDone();
  }

  /**
   * Waits until every item put has been marked done with `taskDone()`.
   *
   * @returns `true`, or `false` if `timeout` passed first.
   */
  async join(options?: WaitOptions): Promise<boolean> {
    options = checkOptions(options, 'queue.join(options)', WAIT_FORM);
    const deadline = deadlineOf(checkTimeout(options.timeout));
    const signal = checkSignal(options.signal);
    return abortedRejection(signal) ?? runAsync(this.#b.joining(deadline), signal);
  }

  /**
   * Like `join`, blocking the calling thread.
   *
   * @remarks Blocking: stops this thread's event loop while it waits.
   */
  joinSync(options?: WaitSyncOptions): boolean {
    options = checkOptions(options, 'queue.joinSync(options)', WAIT_SYNC_FORM);
    return runSync(this.#b.joining(deadlineOf(checkTimeout(options.timeout))));
  }

  /**
   * Shuts the queue down (Python 3.13): `put` then throws `QueueShutDown`, and
   * so does `get` once the queue is empty; blocked putters and getters wake.
   * With `immediate`, the items left are dropped (counted as done for `join`).
   */
  shutdown(options?: { immediate?: boolean }): void {
    options = checkOptions(options, 'queue.shutdown(options)', '{ immediate: true }');
    checkBoolean(options.immediate, 'immediate');
    this.#b.shutdown(options.immediate === true);
  }

  /** Yields items with `get()` until the queue is shut down and empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
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

  toString(): string {
    return `<${this.constructor.name} size=${this.qsize()} maxsize=${this.maxsize}${this.isShutdown ? ' shut down' : ''}>`;
  }
}

/**
 * A last-in-first-out queue (a blocking stack) shared across threads
 * (Python's `queue.LifoQueue`); same API as {@link Queue}.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1); stack.putNowait(2);
 * stack.getNowait(); // 2
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  protected override get kind(): number {
    return LIFO;
  }
}

/**
 * A queue that returns the smallest item first (Python's
 * `queue.PriorityQueue`): numbers, bigints, strings, or `[priority, item]`
 * pairs ordered by priority; equal priorities come out first-in-first-out.
 * An array priority compares element by element, as Python's tuples do. The
 * priorities held at once have one shape (all numbers and bigints, all
 * strings, or arrays of one length and one shape index by index): a priority
 * of another shape, or NaN, is a TypeError thrown by the put that brought it,
 * which changes nothing. weft/asyncio's `PriorityQueue` follows the same rules.
 *
 * @example
 * ```ts
 * const pq = new PriorityQueue<[number, string]>();
 * pq.putNowait([2, 'b']); pq.putNowait([1, 'a']);
 * pq.getNowait(); // [1, 'a']
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  protected override get kind(): number {
    return PRIORITY;
  }
}

function waitTimeout(options: QueueWaitSyncOptions | undefined): number {
  if (options === undefined) return Infinity;
  checkOptions(options, 'queue.get(options) / queue.put(item, options)', QUEUE_FORM);
  return checkAcquire(options.block, options.timeout, 'block');
}

registerShareable('weft.Queue', (state) => Queue.fromShared(state));
