// What the acquire-like waits of Lock and Semaphore resolve with: `true` for
// `acquire()`, a Guard for `hold()`. A waiting `hold()` is granted its Guard
// directly when the lock or permit is handed over, without a `.then` step.

import { TimeoutError } from '../internal/errors.js';
import { Guard } from '../internal/guard.js';
import type { Waiter } from '../internal/waiters.js';

/** @internal Shared settled promises: fast paths allocate nothing. */
export const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
/** @internal */
export const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);

/** @internal `acquire()` (resolves true / false) or `hold()` (resolves a Guard / throws). */
export const ACQUIRE = 0;
/** @internal */
export const HOLD = 1;
/** @internal */
export type Mode = typeof ACQUIRE | typeof HOLD;

/** @internal What a waiting acquire or hold resolves with. */
export type Grant = boolean | Guard;

/** @internal What to hand a waiter of `mode` that was granted the lock or permit. */
export function grantFor(mode: Mode, release: () => void): Grant {
  return mode === HOLD ? new Guard(release) : true;
}

/** @internal What a non-waiting attempt that found nothing returns. */
export function refused(mode: Mode): Promise<Grant> {
  return mode === HOLD
    ? Promise.reject(new TimeoutError('Timed out waiting to acquire'))
    : RESOLVED_FALSE;
}

/** @internal What an attempt that got the lock or permit at once returns. */
export function granted(mode: Mode, release: () => void): Promise<Grant> {
  return mode === HOLD ? Promise.resolve(new Guard(release)) : RESOLVED_TRUE;
}

/** @internal Timeout of a waiting acquire (`false`) or hold (TimeoutError). */
export function timedOut(w: Waiter<Grant, Mode>): void {
  if (w.data === HOLD) w.reject(new TimeoutError('Timed out waiting to acquire'));
  else w.resolve(false);
}

/** @internal Timeout handler of the plain boolean waits (Event, Condition): resolve `false`. */
export function timedOutFalse(w: Waiter<boolean, undefined>): void {
  w.resolve(false);
}
