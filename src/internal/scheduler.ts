// The in-thread scheduler under weft/asyncio (EventLoop, sleep, timeouts and
// every timed wait) and weft/green (greenlet starts, sleep, Timeout).
//
// It is Python's asyncio `_run_once` laid over Node's loop: a FIFO of ready
// callbacks, and a binary heap of timed ones ordered by (when, sequence
// number), so callbacks due at the same time run first-in-first-out, whatever
// delays they were scheduled with. Node's own timers give neither guarantee:
// they live in one list per duration, and fire on a millisecond clock that
// may run up to 1 ms ahead of `performance.now()`. Here one Node timer is
// armed for the earliest entry; when it fires, entries whose `when` has
// passed on the monotonic clock move to the ready FIFO in heap order, and a
// timer that fired early is simply re-armed. So a timed callback never runs
// before its time, and timeouts built on it are true lower bounds.
//
// A pass (`run`) runs only the callbacks that were ready when it began;
// callbacks they schedule wait for the next pass (a setImmediate), so a
// callback that reschedules itself cannot starve timers or I/O. Promise
// continuations triggered by a pass run after it, in the order the pass
// resolved them: `sleep(0)` is a deterministic round-robin yield.
//
// Cancelled timers leave the heap at once (each entry knows its index), and
// the Node timer is cleared when the heap empties: nothing is left behind to
// keep the process alive.

import { TIMEOUT_MAX } from './validate.js';
import { now } from './wait.js';

/** A scheduled callback. Opaque outside this module, except for reading `when`. */
export class Entry {
  /** The callback; undefined once it ran or was cancelled. */
  fn: (() => void) | undefined;
  /** Monotonic ms at which it is due (`-Infinity` for a ready callback). */
  readonly when: number;
  /** Tie-breaker: schedule order. */
  readonly seq: number;
  /** Position in the heap, -1 when not in it. */
  index = -1;

  constructor(fn: () => void, when: number, seq: number) {
    this.fn = fn;
    this.when = when;
    this.seq = seq;
  }
}

const heap: Entry[] = [];
let ready: (Entry | undefined)[] = [];
let head = 0;
/** Ready entries not yet run nor cancelled. */
let live = 0;
let seq = 0;
let immediate: NodeJS.Immediate | undefined;
let timer: NodeJS.Timeout | undefined;
/** The `when` the Node timer was armed for (Infinity when unarmed). */
let armedFor = Infinity;
/** Whether `run` is on the stack (it owns `ready` then). */
let running = false;

/** Schedules `fn` to run in the next pass, after the callbacks already ready. */
export function soon(fn: () => void): Entry {
  const entry = new Entry(fn, -Infinity, seq++);
  ready.push(entry);
  live++;
  if (immediate === undefined) immediate = setImmediate(run);
  return entry;
}

/** Schedules `fn` to run once the monotonic clock (`performance.now()`) reaches `when`. */
export function at(when: number, fn: () => void): Entry {
  const entry = new Entry(fn, when, seq++);
  entry.index = heap.length;
  heap.push(entry);
  siftUp(entry.index);
  if (heap[0] === entry) arm();
  return entry;
}

/** Cancels an entry; returns whether it was still pending. */
export function cancel(entry: Entry): boolean {
  if (entry.fn === undefined) return false;
  entry.fn = undefined;
  if (entry.index >= 0) {
    removeAt(entry.index);
    if (heap.length === 0) disarm();
  } else if (--live === 0) {
    if (immediate !== undefined) {
      clearImmediate(immediate);
      immediate = undefined;
    }
    if (!running) {
      ready = [];
      head = 0;
    }
  }
  return true;
}

/**
 * Resolves after `ms` ms (at the next pass for 0), or rejects with
 * `signal.reason` when `signal` aborts first, leaving nothing scheduled.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal === undefined) {
    return new Promise((resolve) => {
      if (ms > 0) at(now() + ms, resolve);
      else soon(resolve);
    });
  }
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const entry = ms > 0 ? at(now() + ms, done) : soon(done);
    const onAbort = (): void => {
      cancel(entry);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What is scheduled right now (for leak tests): timed entries, ready entries, Node handles. */
export function pending(): { timers: number; ready: number; handles: number } {
  return {
    timers: heap.length,
    ready: live,
    handles: (timer === undefined ? 0 : 1) + (immediate === undefined ? 0 : 1),
  };
}

function run(): void {
  if (immediate !== undefined) {
    clearImmediate(immediate);
    immediate = undefined;
  }
  if (heap.length > 0) {
    const t = now();
    while (heap.length > 0 && heap[0]!.when <= t) {
      const entry = heap[0]!;
      removeAt(0);
      ready.push(entry);
      live++;
    }
  }
  const end = ready.length;
  running = true;
  while (head < end) {
    const entry = ready[head]!;
    ready[head++] = undefined;
    const fn = entry.fn;
    if (fn === undefined) continue;
    entry.fn = undefined;
    live--;
    try {
      fn();
    } catch (error) {
      // Like an exception thrown by a setTimeout callback: uncaught, but
      // only after the rest of this pass has run.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  running = false;
  if (head === ready.length) {
    ready.length = 0;
    head = 0;
  } else if (head > 1024 && head * 2 > ready.length) {
    ready = ready.slice(head);
    head = 0;
  }
  if (live > 0) immediate ??= setImmediate(run);
  else if (head < ready.length) {
    // Only cancelled entries are left.
    ready = [];
    head = 0;
  }
  arm();
}

function onTimer(): void {
  timer = undefined;
  armedFor = Infinity;
  run();
}

function arm(): void {
  if (heap.length === 0) {
    disarm();
    return;
  }
  const when = heap[0]!.when;
  // A timer armed for earlier fires in time; run() re-arms for what is left.
  if (timer !== undefined && armedFor <= when) return;
  if (timer !== undefined) clearTimeout(timer);
  const delay = when - now();
  if (delay <= 0) {
    timer = undefined;
    armedFor = Infinity;
    if (immediate === undefined) immediate = setImmediate(run);
    return;
  }
  armedFor = when;
  timer = setTimeout(onTimer, Math.min(Math.ceil(delay), TIMEOUT_MAX));
}

function disarm(): void {
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  armedFor = Infinity;
}

function before(a: Entry, b: Entry): boolean {
  return a.when < b.when || (a.when === b.when && a.seq < b.seq);
}

function siftUp(i: number): void {
  const entry = heap[i]!;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent]!;
    if (!before(entry, p)) break;
    heap[i] = p;
    p.index = i;
    i = parent;
  }
  heap[i] = entry;
  entry.index = i;
}

function siftDown(i: number): void {
  const entry = heap[i]!;
  const n = heap.length;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
    const c = heap[child]!;
    if (!before(c, entry)) break;
    heap[i] = c;
    c.index = i;
    i = child;
  }
  heap[i] = entry;
  entry.index = i;
}

function removeAt(i: number): void {
  const removed = heap[i]!;
  removed.index = -1;
  const last = heap.pop()!;
  if (last === removed) return;
  heap[i] = last;
  last.index = i;
  if (i > 0 && before(last, heap[(i - 1) >> 1]!)) siftUp(i);
  else siftDown(i);
}
