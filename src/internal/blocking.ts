// Each blocking protocol of weft's shared-memory primitives written once.
//
// A protocol is a generator: it reads and changes shared words itself, and
// whenever it must wait it yields one request, "park on i32[index] while it
// equals `value`, until `deadline` (in slices of at most `slice` ms, after
// spinning `spin` loads)", or "call `fn`" (a Barrier's action). Two drivers
// run the same generator:
//
// - `runSync` parks with Atomics.wait (blocking the thread);
// - `runAsync` parks with Atomics.waitAsync (internal/wait.ts: it holds the
//   keepalive and wakes its word's waiters on abort), awaits what `fn`
//   returns, and on abort throws `signal.reason` into the generator with
//   `gen.throw`, so the protocol's `catch` / `finally` blocks run (it leaves
//   the waiter count, re-takes a mutex, breaks a barrier) before the promise
//   rejects.
//
// A park answers one of PARK_OK (woken), PARK_CHANGED (the word did not hold
// `value`, or changed while spinning), PARK_SLICE (a slice ran out, the
// deadline did not), PARK_DEADLINE (the deadline passed with no wake-up: the
// driver does not park once it has). Protocols re-check their condition
// after every answer, so a spurious wake-up costs one loop.
//
// Callers keep their fast paths (an uncontended CAS, a set flag) inline and
// make a generator only when they must wait, so the hot paths allocate
// nothing. The one request object is shared: a driver reads it before
// anything else can run, and each `yield` re-fills it.
//
// Aborted signals, one rule for every async wait (DOM's
// `signal.throwIfAborted()`): arguments are validated first, then a signal
// that is already aborted rejects with `signal.reason` before any fast path
// or change of state (`abortedRejection`); a signal that aborts while
// parked rejects with `signal.reason` once the protocol has undone its wait.

import { deadlineOf, now, remaining, waitAsync, waitSync } from './wait.js';

export const PARK_OK = 0;
export const PARK_CHANGED = 1;
export const PARK_SLICE = 2;
export const PARK_DEADLINE = 3;
/** What a park answers (see the module comment). */
export type Woken = typeof PARK_OK | typeof PARK_CHANGED | typeof PARK_SLICE | typeof PARK_DEADLINE;

/** One request of a protocol to its driver; made only by `park` and `call`. */
export interface Step {
  readonly fn: (() => unknown) | undefined;
  readonly i32: Int32Array;
  readonly index: number;
  readonly value: number;
  readonly deadline: number;
  readonly slice: number;
  readonly spin: number;
}

/** A blocking protocol returning R: yields steps, receives what each park answered. */
export type Protocol<R> = Generator<Step, R, Woken>;

const NO_WORDS: Int32Array = new Int32Array(new SharedArrayBuffer(4));
const request = {
  fn: undefined as (() => unknown) | undefined,
  i32: NO_WORDS,
  index: 0,
  value: 0,
  deadline: Infinity,
  slice: Infinity,
  spin: 0,
};

/**
 * The request "park on `i32[index]` while it equals `value`": spins up to
 * `spin` loads first, then sleeps in slices of at most `slice` ms, never past
 * `deadline` (monotonic ms, `Infinity` for none).
 */
export function park(
  i32: Int32Array,
  index: number,
  value: number,
  deadline: number,
  slice = Infinity,
  spin = 0,
): Step {
  request.fn = undefined;
  request.i32 = i32;
  request.index = index;
  request.value = value;
  request.deadline = deadline;
  request.slice = slice;
  request.spin = spin;
  return request;
}

/** The request "call `fn`": the async driver awaits what it returns; it answers PARK_OK. */
export function call(fn: () => unknown): Step {
  request.fn = fn;
  return request;
}

export { deadlineOf, now };

/** Whether `deadline` has passed. */
export function expired(deadline: number): boolean {
  return deadline !== Infinity && now() >= deadline;
}

/**
 * The rejection for an async wait whose signal is already aborted (then
 * nothing else happens), else undefined.
 */
export function abortedRejection(signal: AbortSignal | undefined): Promise<never> | undefined {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the signal's reason, as given
  return signal?.aborted === true ? Promise.reject(signal.reason) : undefined;
}

// Spins while the word holds `value`; true if it changed.
function spun(i32: Int32Array, index: number, value: number, spin: number): boolean {
  for (let i = 0; i < spin; i++) if (Atomics.load(i32, index) !== value) return true;
  return false;
}

function parkSync(s: Step): Woken {
  const { i32, index, value, deadline } = s;
  if (s.spin > 0 && spun(i32, index, value, s.spin)) return PARK_CHANGED;
  const left = remaining(deadline);
  if (left <= 0) return PARK_DEADLINE;
  const r = waitSync(i32, index, value, Math.min(left, s.slice));
  return answer(r, deadline);
}

function answer(r: string, deadline: number): Woken {
  if (r === 'ok') return PARK_OK;
  if (r === 'not-equal') return PARK_CHANGED;
  return expired(deadline) ? PARK_DEADLINE : PARK_SLICE;
}

/** Runs `protocol` to its end, blocking the thread at each park. */
export function runSync<R>(protocol: Protocol<R>): R {
  let woken: Woken = PARK_OK;
  let failed = false;
  let error: unknown;
  for (;;) {
    const next = failed ? protocol.throw(error) : protocol.next(woken);
    failed = false;
    if (next.done === true) return next.value;
    const s = next.value;
    if (s.fn === undefined) {
      woken = parkSync(s);
      continue;
    }
    try {
      s.fn();
      woken = PARK_OK;
    } catch (e) {
      failed = true;
      error = e;
    }
  }
}

/**
 * Runs `protocol` to its end without blocking the event loop. When `signal`
 * aborts during a park, `signal.reason` is thrown into the protocol at that
 * `yield` (its `finally` blocks run), once: later parks of its clean-up are
 * not aborted. The promise settles as the protocol ends.
 */
export async function runAsync<R>(protocol: Protocol<R>, signal?: AbortSignal): Promise<R> {
  let woken: Woken = PARK_OK;
  let failed = false;
  let error: unknown;
  for (;;) {
    const next = failed ? protocol.throw(error) : protocol.next(woken);
    failed = false;
    if (next.done === true) return next.value;
    const s = next.value;
    try {
      if (s.fn !== undefined) {
        await s.fn();
        woken = PARK_OK;
        continue;
      }
      const { i32, index, value, deadline } = s;
      if (s.spin > 0 && spun(i32, index, value, s.spin)) {
        woken = PARK_CHANGED;
        continue;
      }
      const left = remaining(deadline);
      if (left <= 0) {
        woken = PARK_DEADLINE;
        continue;
      }
      woken = answer(await waitAsync(i32, index, value, Math.min(left, s.slice), signal), deadline);
    } catch (e) {
      failed = true;
      error = e;
      // The abort is thrown in once: the parks of the protocol's clean-up
      // (re-taking a lock, say) must run to their end.
      if (signal?.aborted === true) signal = undefined;
    }
  }
}
