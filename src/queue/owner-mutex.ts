// A mutex on one Int32 word that records its owner, so that a waiter can
// take it over from a thread that died holding it (weft terminates threads:
// timeouts, terminate(), OOM, maxTasksPerChild).
//
// Word: 0 = free; else the owner's `threadId + 1` in the low 30 bits, plus
// CONTENDED (bit 30) once some thread may be waiting. Acquire = CAS 0 → ME;
// release = CAS ME → 0, notifying one waiter only when CONTENDED was set: the
// uncontended path costs what the 3-state futex costs (two atomics).
//
// Waiters sleep in slices; a waiter whose slice ran out (no release came)
// asks the thread registry whether the owner is known dead and, if so, takes
// the word over by CAS from the dead owner's value. The caller is told
// (TAKEN_OVER) and must repair what the dead owner was changing. Threads weft
// did not start are never reported dead, so their locks are never taken over.

import { threadId } from 'node:worker_threads';
import { isKnownDead } from '../threading/registry.js';
import {
  deadlineOf,
  PARK_DEADLINE,
  PARK_OK,
  PARK_SLICE,
  park,
  runSync,
} from '../internal/blocking.js';
import type { Protocol, Woken } from '../internal/blocking.js';

const CONTENDED = 1 << 30;
const ID_MASK = CONTENDED - 1;
// A thread id too large for 30 bits is recorded as this value, never reported dead.
const ANONYMOUS = ID_MASK;
/** This thread's owner value. */
export const ME = threadId + 1 < ANONYMOUS ? threadId + 1 : ANONYMOUS;
const SPIN = 64;
/** Ms a waiter sleeps before it checks whether the owner died. */
export const SLICE = 100;

export const TIMED_OUT = 0;
export const TAKEN = 1;
/** Taken from an owner that died holding it: the guarded state needs repair. */
export const TAKEN_OVER = 2;
export type LockResult = typeof TIMED_OUT | typeof TAKEN | typeof TAKEN_OVER;

const ROUND_TAKEN = -1;
const ROUND_TAKEN_OVER = -2;

/** The thread id recorded in an owner value (for liveness checks), or -1 when unknown. */
export function ownerThread(value: number): number {
  const id = value & ID_MASK;
  return id === 0 || id === ANONYMOUS ? -1 : id - 1;
}

export function tryLock(c: Int32Array, index: number): boolean {
  return Atomics.compareExchange(c, index, 0, ME) === 0;
}

// One round of the slow path: take the word (marking it contended, since
// others may sleep on it), take it over from a dead owner (when `check`), or
// return the value to sleep on.
function round(c: Int32Array, index: number, check: boolean): number {
  for (;;) {
    const v = Atomics.load(c, index);
    if (v === 0) {
      if (Atomics.compareExchange(c, index, 0, ME | CONTENDED) === 0) return ROUND_TAKEN;
      continue;
    }
    if (check && (v & ID_MASK) !== ME) {
      const owner = ownerThread(v);
      if (owner >= 0 && isKnownDead(owner)) {
        if (Atomics.compareExchange(c, index, v, ME | CONTENDED) === v) return ROUND_TAKEN_OVER;
        continue;
      }
    }
    if ((v & CONTENDED) === 0 && Atomics.compareExchange(c, index, v, v | CONTENDED) !== v)
      continue;
    return v | CONTENDED;
  }
}

/** Takes the lock, blocking the thread (in `slice`-ms sleeps) up to `timeout` ms. */
export function lockSync(
  c: Int32Array,
  index: number,
  timeout: number,
  slice: number = SLICE,
): LockResult {
  if (Atomics.compareExchange(c, index, 0, ME) === 0) return TAKEN;
  return runSync(locking(c, index, deadlineOf(timeout), slice));
}

/**
 * The slow path of taking the lock, for both drivers: a short spin while the
 * word stays as found, then rounds of taking it (or taking it over from a
 * dead owner, looked for once a slice ran out with no release) and parks.
 */
export function* locking(
  c: Int32Array,
  index: number,
  deadline: number,
  slice: number = SLICE,
): Protocol<LockResult> {
  const seen = Atomics.load(c, index);
  if (seen !== 0) {
    yield park(c, index, seen, 0, 0, SPIN);
    if (tryLock(c, index)) return TAKEN;
  }
  let woken: Woken = PARK_OK;
  for (;;) {
    const r = round(c, index, woken === PARK_SLICE);
    if (r === ROUND_TAKEN) return TAKEN;
    if (r === ROUND_TAKEN_OVER) return TAKEN_OVER;
    if (woken === PARK_DEADLINE) return TIMED_OUT;
    woken = yield park(c, index, r, deadline, slice);
  }
}

/** Releases the lock if this thread holds it (after a takeover it may not: then nothing happens). */
export function unlock(c: Int32Array, index: number): void {
  const prev = Atomics.compareExchange(c, index, ME, 0);
  if (prev === ME) return;
  if (prev === (ME | CONTENDED) && Atomics.compareExchange(c, index, prev, 0) === prev) {
    Atomics.notify(c, index, 1);
  }
}
