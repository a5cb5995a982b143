// How PriorityQueue orders its items, shared by weft/queue and weft/asyncio.
//
// An item is a number, a bigint, a string, or an array whose element 0 is its
// priority: `[priority, item]`, Python's `(priority, item)` tuple. Only the
// priority is compared, never the rest, so items need not be comparable and
// equal priorities keep first-in-first-out order (the queue adds a sequence
// number). A priority that is itself an array compares lexicographically,
// element by element (`[[1, 'b'], job]` before `[[2, 'a'], job]`). Numbers
// and bigints compare with each other; anything else compared with a
// different kind is a TypeError, as in Python.

import { argTypeError, codedError, describe } from './errors.js';

/** A comparable priority: a number, bigint, string, or an array of priorities (lexicographic). */
export type Priority = number | bigint | string | readonly Priority[];

/** What a PriorityQueue accepts: a bare priority, or `[priority, ...rest]`. */
export type Prioritized = number | bigint | string | readonly [Priority, ...unknown[]];

/** The priority of an item; throws TypeError for anything that has none. */
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
        `Expected \`${name}\` to be comparable, got NaN`,
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

/** Compares two priorities: negative, zero or positive; TypeError across kinds. */
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
  throw codedError(
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    `Cannot compare priorities ${describe(a)} and ${describe(b)}`,
  );
}
