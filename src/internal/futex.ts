// A 3-state futex mutex on one Int32 word (Drepper, "Futexes are tricky"),
// whose "locked" states also name the holder: 0 = unlocked, otherwise
// `(threadId + 1) * 2`, plus 1 while it may be waited on. Taking it is still
// one CAS (0 → this thread's constant) and releasing one exchange (notifying
// only when bit 0 was set), so the holder's name costs nothing, and a waiter
// can tell whether the holder died: weft kills threads (timeouts, terminate,
// out of memory), and a lock held by a dead thread would otherwise stay taken
// forever (node-atomics-facts). Callers that pass `recover` let a waiter
// take the lock over from a holder `recover.dead` says is gone; waiters then
// park in slices of SLICE ms to look again.

import { threadId } from 'node:worker_threads';
import { deadlineOf, PARK_DEADLINE, PARK_OK, park, runAsync, runSync } from './blocking.js';
import type { Protocol, Woken } from './blocking.js';

export const UNLOCKED = 0;
const WAITED = 1;
// This thread's "locked" value. threadIds stay far below 2^30 (the thread
// registry refuses ids past 2^28).
const ME = (threadId + 1) * 2;
// A short spin before parking: on a 2-core machine a longer one burns the
// core the owner needs (node-atomics-facts), a short one saves most parks of
// tiny critical sections.
const SPIN = 64;
/** Ms a waiter sleeps before checking again whether the holder died. */
export const SLICE = 100;
/**
 * "Locked and maybe waited on", naming no holder: Drepper's state 2 for locks
 * that keep their owner in another word (RLock), which `unlock` notifies from.
 */
export const CONTENDED = WAITED;

/** How a lock's waiters learn that its holder is gone for good. */
export interface Recover {
  /** Whether thread `ident`, which holds the lock, is gone and its hold may be taken over. */
  readonly dead: (ident: number) => boolean;
  /** Called in the thread that took the lock over from the dead `ident`. */
  readonly tookOver?: (ident: number) => void;
}

/** The threadId named by a lock word, or -1 when it is unlocked. */
export function holderOf(word: number): number {
  return (word >>> 1) - 1;
}

export function tryLock(i32: Int32Array, index: number): boolean {
  return Atomics.compareExchange(i32, index, UNLOCKED, ME) === UNLOCKED;
}

/**
 * One round of the slow path: take the lock marked as waited on (another
 * waiter may sleep behind us), or take it over from a dead holder. Returns 0
 * once held, a negative number once taken over, else the (waited-on) word to
 * sleep on.
 */
export function step(i32: Int32Array, index: number, recover: Recover | undefined): number {
  let w = Atomics.load(i32, index);
  for (;;) {
    if (w === UNLOCKED) {
      w = Atomics.compareExchange(i32, index, UNLOCKED, ME | WAITED);
      if (w === UNLOCKED) return 0;
      continue;
    }
    if ((w & WAITED) === 0) {
      const seen = Atomics.compareExchange(i32, index, w, w | WAITED);
      if (seen !== w) {
        w = seen;
        continue;
      }
      w |= WAITED;
    }
    const holder = holderOf(w);
    if (recover !== undefined && holder !== threadId && recover.dead(holder)) {
      // A dead thread cannot take it again, so the word cannot come back to w.
      const seen = Atomics.compareExchange(i32, index, w, ME | WAITED);
      if (seen === w) {
        recover.tookOver?.(holder);
        return -1;
      }
      w = seen;
      continue;
    }
    return w;
  }
}

/** Without waiting: takes the lock if free, or takes it over from a dead holder. */
export function tryLockOrRecover(i32: Int32Array, index: number, recover: Recover): boolean {
  return tryLock(i32, index) || step(i32, index, recover) <= 0;
}

/** `locking` did not get the lock before its deadline. */
export const TIMED_OUT = 0;
/** `locking` took the lock. */
export const TAKEN = 1;
/** `locking` took the lock over from a dead holder. */
export const TAKEN_OVER = 2;

/** Takes the lock, blocking the thread up to `timeout` ms; false on timeout. */
export function lockSync(
  i32: Int32Array,
  index: number,
  timeout: number,
  recover?: Recover,
): boolean {
  if (Atomics.compareExchange(i32, index, UNLOCKED, ME) === UNLOCKED) return true;
  if (timeout === 0) return recover !== undefined && step(i32, index, recover) <= 0;
  return runSync(locked(i32, index, deadlineOf(timeout), recover));
}

/** Takes the lock without blocking the event loop; false on timeout, rejects on abort. */
export function lockAsync(
  i32: Int32Array,
  index: number,
  timeout: number,
  signal?: AbortSignal,
  recover?: Recover,
): Promise<boolean> {
  return runAsync(locked(i32, index, deadlineOf(timeout), recover), signal);
}

function* locked(
  i32: Int32Array,
  index: number,
  deadline: number,
  recover: Recover | undefined,
): Protocol<boolean> {
  return (yield* locking(i32, index, deadline, recover)) !== TIMED_OUT;
}

/**
 * The slow path of taking the lock, for both drivers: a spin of `spin` loads
 * while the word stays as found (a tiny critical section ends before a park
 * would), then rounds of `step` and parks on the waited-on word, in slices
 * of SLICE ms when `recover` may find the holder dead.
 */
export function* locking(
  i32: Int32Array,
  index: number,
  deadline: number,
  recover: Recover | undefined,
  spin = SPIN,
): Protocol<typeof TIMED_OUT | typeof TAKEN | typeof TAKEN_OVER> {
  const seen = Atomics.load(i32, index);
  if (seen !== UNLOCKED) {
    yield park(i32, index, seen, 0, 0, spin);
    if (tryLock(i32, index)) return TAKEN;
  }
  const slice = recover === undefined ? Infinity : SLICE;
  let woken: Woken = PARK_OK;
  for (;;) {
    const w = step(i32, index, recover);
    if (w <= 0) return w === 0 ? TAKEN : TAKEN_OVER;
    if (woken === PARK_DEADLINE) return TIMED_OUT;
    woken = yield park(i32, index, w, deadline, slice);
  }
}

/** Releases; returns the previous word (UNLOCKED means it was not held). */
export function unlock(i32: Int32Array, index: number): number {
  const prev = Atomics.exchange(i32, index, UNLOCKED);
  if ((prev & WAITED) !== 0) Atomics.notify(i32, index, 1);
  return prev;
}
