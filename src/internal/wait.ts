// Waiting on a shared Int32 word with a deadline, in both forms.
//
// Async waits use Atomics.waitAsync, which (node-atomics-facts) neither keeps
// Node alive nor can be cancelled. So each pending wait holds the keepalive,
// and an aborted wait, whose waitAsync stays queued on the word, immediately
// wakes *every* waiter on that word: a wake-up it may already have swallowed
// becomes a spurious wake-up for the others, and its own dead entry leaves the
// queue. Every caller loops and re-checks its condition, so spurious wake-ups
// are harmless, while a swallowed one would hang a real waiter forever.

import * as keepalive from './keepalive.js';

export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** Monotonic clock in ms. */
export const now: () => number = performance.now.bind(performance);

/** Deadline (monotonic ms) for a validated timeout; `Infinity` stays infinite. */
export function deadlineOf(timeout: number): number {
  return timeout === Infinity ? Infinity : now() + timeout;
}

/** Ms left until `deadline` (may be <= 0; `Infinity` for no deadline). */
export function remaining(deadline: number): number {
  return deadline === Infinity ? Infinity : deadline - now();
}

/** Blocks the calling thread while `i32[index] === expected`, at most `timeout` ms. */
export function waitSync(
  i32: Int32Array,
  index: number,
  expected: number,
  timeout: number,
): WaitResult {
  return Atomics.wait(
    i32,
    index,
    expected,
    timeout === Infinity ? undefined : Math.max(0, timeout),
  );
}

/**
 * Waits without blocking while `i32[index] === expected`, at most `timeout` ms.
 * Returns a plain result when it is known at once, else a promise. Rejects
 * with `signal.reason` on abort.
 */
export function waitAsync(
  i32: Int32Array,
  index: number,
  expected: number,
  timeout: number,
  signal?: AbortSignal,
): WaitResult | Promise<WaitResult> {
  signal?.throwIfAborted();
  const r = Atomics.waitAsync(
    i32,
    index,
    expected,
    timeout === Infinity ? undefined : Math.max(0, timeout),
  );
  if (!r.async) return r.value;
  keepalive.hold();
  if (signal === undefined) return r.value.then(settled);
  return new Promise<WaitResult>((resolve, reject) => {
    let done = false;
    const onAbort = (): void => {
      if (done) return;
      done = true;
      keepalive.release();
      Atomics.notify(i32, index);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the signal's reason, as given
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    r.value.then((value) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      keepalive.release();
      resolve(value);
    }, /* c8 ignore next */ reject);
  });
}

function settled(value: WaitResult): WaitResult {
  keepalive.release();
  return value;
}
