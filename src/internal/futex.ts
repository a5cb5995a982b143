// A 3-state futex mutex on one Int32 word (Drepper, "Futexes are tricky"):
// 0 = unlocked, 1 = locked, 2 = locked and maybe waited on. Unlock notifies
// only from state 2, so the uncontended path is one CAS and one exchange.

import { deadlineOf, remaining, waitAsync, waitSync } from './wait.js';

export const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;
// A short spin before parking: on a 2-core machine a longer one burns the
// core the owner needs (node-atomics-facts), a short one saves most parks of
// tiny critical sections.
const SPIN = 64;

export function tryLock(i32: Int32Array, index: number): boolean {
  return Atomics.compareExchange(i32, index, UNLOCKED, LOCKED) === UNLOCKED;
}

/** Takes the lock, blocking the thread up to `timeout` ms; false on timeout. */
export function lockSync(i32: Int32Array, index: number, timeout: number): boolean {
  if (Atomics.compareExchange(i32, index, UNLOCKED, LOCKED) === UNLOCKED) return true;
  if (timeout === 0) return false;
  for (let i = 0; i < SPIN; i++) {
    if (Atomics.load(i32, index) === UNLOCKED && tryLock(i32, index)) return true;
  }
  const deadline = deadlineOf(timeout);
  while (Atomics.exchange(i32, index, CONTENDED) !== UNLOCKED) {
    const left = remaining(deadline);
    if (left <= 0) return false;
    waitSync(i32, index, CONTENDED, left);
  }
  return true;
}

/** Takes the lock without blocking the event loop; false on timeout, rejects on abort. */
export async function lockAsync(
  i32: Int32Array,
  index: number,
  timeout: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = deadlineOf(timeout);
  while (Atomics.exchange(i32, index, CONTENDED) !== UNLOCKED) {
    const left = remaining(deadline);
    if (left <= 0) return false;
    await waitAsync(i32, index, CONTENDED, left, signal);
  }
  return true;
}

/** Releases; returns the previous state (UNLOCKED means it was not held). */
export function unlock(i32: Int32Array, index: number): number {
  const prev = Atomics.exchange(i32, index, UNLOCKED);
  if (prev === CONTENDED) Atomics.notify(i32, index, 1);
  return prev;
}
