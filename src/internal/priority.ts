// How a PriorityQueue orders its items: one set of rules for weft/queue (in
// shared memory), weft/asyncio and the Manager's queues.
//
// An item is a number, a bigint, a string, or an array whose element 0 is its
// priority: `[priority, item]`, Python's `(priority, item)` tuple. Only the
// priority is compared, never the rest, so items need not be comparable, and
// equal priorities come out first-in-first-out (each queue adds a sequence
// number: Python's `(priority, count, item)` recipe, built in). A priority
// that is itself an array compares element by element, as Python compares
// tuples (`[[1, 'b'], job]` before `[[2, 'a'], job]`). Numbers and bigints
// compare with each other (Python's int and float).
//
// What may share a queue: every priority the queue holds at once has one
// *shape* (`shapeOf`): all numeric, all strings, or all arrays of the same
// length whose elements have one shape index by index. Python finds two
// priorities it cannot compare only when heapq happens to compare them, on a
// put or halfway through a get (losing the item being taken); one shape can be
// checked against a single held item, so the put that brings an unorderable
// priority is refused and changes nothing, and no later get can fail. The
// shape resets when the queue is empty. NaN orders with nothing and is
// refused the same way. Every refusal is a TypeError: `ERR_INVALID_ARG_TYPE`
// for a priority of a kind that has no order (an object, a boolean, …),
// `ERR_INVALID_ARG_VALUE` for NaN, an empty item array, or a shape that
// differs from the held priorities'.

import { argTypeError, codedError, describe } from './errors.js';

/** A comparable priority: a number, bigint, string, or an array of priorities (element by element). */
export type Priority = number | bigint | string | readonly Priority[];

/** What a PriorityQueue accepts: a bare priority, or `[priority, ...rest]`. */
export type Prioritized = number | bigint | string | readonly [Priority, ...unknown[]];

/** The priority of an item; throws TypeError for anything that has none (NaN included). */
export function priorityOf(item: unknown): Priority {
  if (Array.isArray(item)) {
    if (item.length === 0) {
      throw codedError(
        TypeError,
        'ERR_INVALID_ARG_VALUE',
        'Expected a PriorityQueue item to be a number, bigint, string or [priority, item] array, got an empty array',
      );
    }
    checkPriority(item[0], 'priority');
    return item[0] as Priority;
  }
  checkPriority(item, 'item');
  return item as Priority;
}

function checkPriority(p: unknown, name: string): void {
  if (typeof p === 'number') {
    if (Number.isNaN(p))
      throw codedError(
        TypeError,
        'ERR_INVALID_ARG_VALUE',
        `Expected a PriorityQueue ${name} to be orderable, got NaN`,
      );
    return;
  }
  if (typeof p === 'bigint' || typeof p === 'string') return;
  if (Array.isArray(p)) {
    for (const x of p) checkPriority(x, name);
    return;
  }
  throw argTypeError(
    `Expected a PriorityQueue ${name} to be a number, bigint, string or array of them, got ${describe(p)}`,
  );
}

/**
 * The shape of a checked priority: `n` (number or bigint), `s` (string), or
 * `[` the shapes of the elements `]`. Two priorities of one shape always compare.
 */
export function shapeOf(p: Priority): string {
  if (typeof p === 'string') return 's';
  if (typeof p !== 'object') return 'n';
  let shape = '[';
  for (const x of p) shape += shapeOf(x);
  return `${shape}]`;
}

/** The TypeError for a priority whose shape differs from the held ones'. */
export function shapeError(held: string, got: string): TypeError {
  return codedError(
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    `This PriorityQueue holds priorities shaped ${shapeName(held)}; cannot order one shaped ${shapeName(got)} with them (one shape at a time: see PriorityQueue)`,
  );
}

function shapeName(shape: string): string {
  if (shape === 'n') return 'number';
  if (shape === 's') return 'string';
  return shape.replaceAll('n', 'number,').replaceAll('s', 'string,').replaceAll(',]', ']');
}

/**
 * Compares two priorities: negative, zero or positive. Priorities of one
 * shape never throw; others throw the TypeError of {@link shapeError}.
 */
export function comparePriority(a: Priority, b: Priority): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (ta === 'string' && tb === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const x = a as readonly Priority[];
    const y = b as readonly Priority[];
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const c = comparePriority(x[i]!, y[i]!);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  throw shapeError(shapeOf(a), shapeOf(b));
}

/** An array priority as text (for weft/queue's shared memory): read back by {@link priorityFromText}. */
export function priorityText(p: readonly Priority[]): string {
  return JSON.stringify(p, (_key, value: unknown) => {
    if (typeof value === 'bigint') return { b: String(value) };
    if (typeof value === 'number' && !Number.isFinite(value)) return { f: value > 0 ? 1 : -1 };
    return value;
  });
}

/** The priority {@link priorityText} wrote (a number keeps its order, `-0` reads as `0`). */
export function priorityFromText(text: string): Priority {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const v = value as { b?: string; f?: number };
      return v.b !== undefined ? BigInt(v.b) : v.f! > 0 ? Infinity : -Infinity;
    }
    return value;
  }) as Priority;
}
