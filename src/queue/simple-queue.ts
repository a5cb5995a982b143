import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import type { QueueWaitOptions, QueueWaitSyncOptions } from './queue.js';
import { Queue } from './queue.js';

/**
 * An unbounded first-in-first-out queue shared across threads, without task
 * tracking or shutdown (Python's `queue.SimpleQueue`).
 *
 * @example
 * ```ts
 * const q = new SimpleQueue<string>();
 * q.put('a');
 * await q.get(); // 'a'
 * ```
 */
export class SimpleQueue<T = unknown> implements Shareable {
  readonly #queue: Queue<T>;

  constructor() {
    this.#queue = (restoring as Queue<T> | undefined) ?? new Queue<T>();
    restoring = undefined;
  }

  /** @internal */
  static fromShared(state: unknown): SimpleQueue {
    restoring = state as Queue;
    return new SimpleQueue();
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.SimpleQueue', state: this.#queue };
  }

  /** Puts `item`; never waits (unbounded). */
  put(item: T): void {
    this.#queue.putSync(item);
  }

  /** Same as `put`, for Python's `put_nowait`. */
  putNowait(item: T): void {
    this.#queue.putSync(item);
  }

  /** Removes and returns the next item, waiting without blocking the event loop. */
  get(options?: QueueWaitOptions): Promise<T> {
    return this.#queue.get(options);
  }

  /** Removes and returns the next item, blocking the calling thread. */
  getSync(options?: QueueWaitSyncOptions): T {
    return this.#queue.getSync(options);
  }

  /** Removes and returns the next item if there is one now, else throws `QueueEmpty`. */
  getNowait(): T {
    return this.#queue.getNowait();
  }

  /** Items in the queue now. */
  qsize(): number {
    return this.#queue.qsize();
  }

  /** Whether the queue is empty now. */
  empty(): boolean {
    return this.#queue.empty();
  }
}

let restoring: Queue | undefined;

registerShareable('weft.SimpleQueue', (state) => SimpleQueue.fromShared(state));
