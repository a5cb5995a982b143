import { Queue } from './queue.js';
import type { QueueStore } from './queue.js';

/**
 * A last-in-first-out queue (a stack) for the tasks of one thread (Python's
 * `asyncio.LifoQueue`); otherwise a {@link Queue}.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1);
 * stack.putNowait(2);
 * await stack.get(); // 2
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  protected override _store(): QueueStore<T> {
    return new Stack<T>();
  }
}

class Stack<T> implements QueueStore<T> {
  #items: T[] = [];

  get length(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T {
    return this.#items.pop() as T;
  }

  clear(): void {
    this.#items = [];
  }
}
