// What the Queue facade (queue.ts) asks of its storage backend: the
// lock-free ring (ring-queue.ts) or the mutex-guarded store (store-queue.ts).
// Each backend owns its control words and their layout; the facade validates
// arguments and applies the aborted-signal rule, then makes one call.

import { park, PARK_DEADLINE, PARK_OK } from '../internal/blocking.js';
import type { Protocol, Woken } from '../internal/blocking.js';
import { Pending, Prepared, prepareKey } from './item-codec.js';
import type { RingState } from './ring.js';
import type { StoreState } from './store.js';
import { PRIORITY } from './store.js';

/** A queue's shared state, as it crosses threads: one of the two. */
export interface QueueState {
  readonly store?: StoreState;
  readonly ring?: RingState;
}

/** One storage engine with its waiting protocols (both forms). */
export interface QueueBackend {
  /** The discipline (FIFO, LIFO, PRIORITY). */
  readonly kind: number;
  state(): QueueState;
  maxsize(): number;
  /** Sets maxsize (validated as an int >= 0 by the facade). */
  setMaxsize(value: number): void;
  qsize(): number;
  isShutdown(): boolean;
  /** Puts, blocking up to `timeout` ms (0: never waits). */
  putSync(item: unknown, timeout: number): void;
  /** Puts without blocking the event loop: undefined when done at once, else a promise. */
  put(item: unknown, timeout: number, signal: AbortSignal | undefined): Promise<void> | undefined;
  /** Takes the next item, blocking up to `timeout` ms. */
  getSync(timeout: number): unknown;
  /** Takes the next item: the value when taken and decoded at once, else a promise of it. */
  get(timeout: number, signal: AbortSignal | undefined): unknown;
  taskDone(): void;
  /** The join protocol (both forms), up to `deadline`. */
  joining(deadline: number): Protocol<boolean>;
  shutdown(immediate: boolean): void;
}

// Waiters sleep in naps: a party that died may owe them a wake-up (it died
// between its change and its notify, or holds a ring cell a parked putter
// needs back), so a sleeper re-checks after FIRST_NAP ms, then after longer
// and longer naps up to MAX_NAP ms: a death costs a parked waiter a delay,
// never a hang, and an idle waiter costs one wake-up every few seconds.
const FIRST_NAP = 250;
const MAX_NAP = 4000;

/** The slice of the `naps`-th nap (the driver never sleeps past the deadline). */
export function nap(naps: number): number {
  return naps >= 4 ? MAX_NAP : FIRST_NAP << naps;
}

/** put/get spin this many tries (or loads) for room (or an item) before parking. */
export const SPIN = 256;

/**
 * Prepares `item` for storage: in `scratch` when the caller cannot be
 * interleaved with another (a sync put), else in a new object. An async put
 * never blocks: its prepared item may still wait for the buffer directory
 * (`await prepared.ready()`).
 */
export function prepare(kind: number, item: unknown, scratch: Prepared | undefined): Prepared {
  const prepared = scratch ?? new Prepared();
  // The key first: nothing is deposited for an item refused here.
  if (kind === PRIORITY) prepareKey(prepared, item);
  return prepared.prepare(item, scratch !== undefined);
}

/**
 * A taken item's value. Async gets (`sync` false) never block: an item whose
 * shared buffers must be asked for comes back as a promise.
 */
export function decoded(value: unknown, sync: boolean): unknown {
  if (!(value instanceof Pending)) return value;
  return sync ? value.value() : value.valueAsync();
}

/** Bumps a sequence word and wakes up to `count` of its sleepers. */
export function wake(c: Int32Array, word: number, count: number): void {
  Atomics.add(c, word, 1);
  Atomics.notify(c, word, count);
}

/** The join protocol of both backends: sleep on `allDone` until nothing is unfinished. */
export function* joining(
  c: Int32Array,
  allDone: number,
  unfinished: () => number,
  deadline: number,
): Protocol<boolean> {
  let woken: Woken = PARK_OK;
  for (;;) {
    const seq = Atomics.load(c, allDone);
    if (unfinished() === 0) return true;
    if (woken === PARK_DEADLINE) return false;
    woken = yield park(c, allDone, seq, deadline);
  }
}
