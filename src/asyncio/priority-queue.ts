import { comparePriority, priorityOf, shapeError, shapeOf } from '../internal/priority.js';
import type { Prioritized, Priority } from '../internal/priority.js';
import { Queue } from './queue.js';
import type { QueueStore } from './queue.js';

export type { Prioritized, Priority } from '../internal/priority.js';

/**
 * A queue for the tasks of one thread that returns the lowest priority
 * first (Python's `asyncio.PriorityQueue`); otherwise a {@link Queue}.
 *
 * Items are numbers, bigints, strings, or `[priority, item]` arrays (Python's
 * `(priority, item)` tuples). Only the priority is compared, so the item
 * need not be comparable, and equal priorities come out first-in-first-out.
 * A priority that is an array compares element by element, as Python's
 * tuples do. The rules are weft/queue's `PriorityQueue`'s: the priorities
 * held at once have one shape (all numbers and bigints, all strings, or
 * arrays of one length and one shape index by index); a priority of another
 * shape, or NaN, is a `TypeError` thrown by the `put` that brought it, which
 * leaves the queue unchanged, so no later `get` can fail.
 *
 * @example
 * ```ts
 * const jobs = new PriorityQueue<[number, string]>();
 * jobs.putNowait([2, 'later']);
 * jobs.putNowait([1, 'first']);
 * jobs.putNowait([2, 'last']);
 * await jobs.get(); // [1, 'first'], then [2, 'later'], then [2, 'last']
 * ```
 */
export class PriorityQueue<T extends Prioritized> extends Queue<T> {
  protected override _store(): QueueStore<T> {
    return new Heap<T>();
  }
}

interface Node<T> {
  readonly key: Priority;
  readonly shape: string;
  readonly seq: number;
  readonly item: T;
}

class Heap<T> implements QueueStore<T> {
  #nodes: Node<T>[] = [];
  #seq = 0;

  get length(): number {
    return this.#nodes.length;
  }

  check(item: T): void {
    this.#node(item);
  }

  // The item's node; throws for a priority with no order or of another
  // shape than the held ones (every held node has one shape).
  #node(item: T): Node<T> {
    const key = priorityOf(item);
    const shape = shapeOf(key);
    const top = this.#nodes[0];
    if (top !== undefined && top.shape !== shape) throw shapeError(top.shape, shape);
    return { key, shape, seq: this.#seq, item };
  }

  // Priorities of one shape never fail to compare: nothing below throws.
  push(item: T): void {
    const nodes = this.#nodes;
    const node = this.#node(item);
    let i = nodes.length;
    const path: number[] = [];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(node, nodes[parent]!)) break;
      path.push(parent);
      i = parent;
    }
    this.#seq++;
    let hole = nodes.length;
    for (const parent of path) {
      nodes[hole] = nodes[parent]!;
      hole = parent;
    }
    nodes[hole] = node;
  }

  shift(): T {
    const nodes = this.#nodes;
    const top = nodes[0]!;
    const last = nodes.pop()!;
    const n = nodes.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && before(nodes[child + 1]!, nodes[child]!)) child++;
        if (!before(nodes[child]!, last)) break;
        nodes[i] = nodes[child]!;
        i = child;
      }
      nodes[i] = last;
    }
    return top.item;
  }

  clear(): void {
    this.#nodes = [];
  }
}

function before<T>(a: Node<T>, b: Node<T>): boolean {
  const c = comparePriority(a.key, b.key);
  return c < 0 || (c === 0 && a.seq < b.seq);
}
