// Timers that honour any delay up to Infinity. Node's setTimeout fires after
// 1 ms for a delay of 2^31 ms or more (it warns TimeoutOverflowWarning), so a
// long delay is waited in steps of at most TIMER_MAX, re-armed until the
// deadline. Infinity never fires.

/** Largest delay one Node timer takes, in ms. */
export const TIMER_MAX = 2 ** 31 - 1;

/** A timer made by {@link setLongTimeout}. */
export interface LongTimer {
  /** Cancels the timer; safe to call twice. */
  clear(): void;
  /** Lets the process exit while the timer is pending (as `Timeout.unref`). */
  unref(): this;
  /** Keeps the process alive while the timer is pending (the default). */
  ref(): this;
}

/**
 * Calls `fn` once `ms` milliseconds have passed, for any `ms` from 0 to
 * `Infinity` (which never fires but, while ref'd, keeps the process alive as a
 * pending timer would).
 */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  const deadline = performance.now() + ms;
  let refd = true;
  let handle: NodeJS.Timeout | undefined;
  let cleared = false;
  const arm = (): void => {
    const left = deadline - performance.now();
    if (left <= 0 && handle !== undefined) {
      handle = undefined;
      fn();
      return;
    }
    handle = setTimeout(arm, Math.max(1, Math.min(Math.ceil(left), TIMER_MAX)));
    if (!refd) handle.unref();
  };
  // The first step always goes through a timer, as setTimeout(fn, 0) would.
  handle = setTimeout(arm, Math.max(1, Math.min(Math.ceil(ms), TIMER_MAX)));
  const timer: LongTimer = {
    clear() {
      cleared = true;
      if (handle !== undefined) clearTimeout(handle);
      handle = undefined;
    },
    unref() {
      refd = false;
      handle?.unref();
      return timer;
    },
    ref() {
      refd = true;
      if (!cleared) handle?.ref();
      return timer;
    },
  };
  return timer;
}
