import { argTypeError, describe, TimeoutError } from '../internal/errors.js';
import { at, cancel } from '../internal/scheduler.js';
import type { Entry } from '../internal/scheduler.js';
import { checkOptions, checkSignal, checkTimeout } from '../internal/validate.js';
import { now } from '../internal/wait.js';

/** Options of {@link timeout} and {@link timeoutAt}. */
export interface TimeoutOptions {
  /** A parent signal: when it aborts, the scope's signal aborts with the same reason. */
  readonly signal?: AbortSignal;
}

/**
 * A deadline scope (Python's `asyncio.Timeout`), made by {@link timeout} or
 * {@link timeoutAt}. Its `signal` aborts with a `TimeoutError` when the
 * deadline passes; pass it to the work inside the scope. Disposing the scope
 * (`using`) drops the timer.
 *
 * @example
 * ```ts
 * try {
 *   using scope = timeout(500);
 *   await sleep(1_000, { signal: scope.signal });
 * } catch (e) {
 *   if (e instanceof TimeoutError) console.log('gave up after 500 ms');
 * }
 * ```
 */
export class Timeout implements Disposable {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal | undefined;
  #onParentAbort: (() => void) | undefined;
  #entry: Entry | undefined;
  #when: number | undefined;
  #expired = false;
  #disposed = false;

  /** @internal Use {@link timeout} or {@link timeoutAt}. */
  constructor(when: number | undefined, parent: AbortSignal | undefined) {
    this.#parent = parent;
    if (parent !== undefined) {
      if (parent.aborted) this.#controller.abort(parent.reason);
      else {
        this.#onParentAbort = () => {
          this.#onParentAbort = undefined;
          this.#stop();
          this.#controller.abort(parent.reason);
        };
        parent.addEventListener('abort', this.#onParentAbort, { once: true });
      }
    }
    this.reschedule(when);
  }

  /** Aborts with a `TimeoutError` at the deadline, or with the parent signal's reason. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The deadline in loop time (ms, `getEventLoop().time()`), or `undefined` for none. */
  when(): number | undefined {
    return this.#when;
  }

  /**
   * Moves the deadline (`undefined`: no deadline). No effect once expired or disposed.
   *
   * @param when - Loop time in ms, as from `getEventLoop().time()`.
   */
  reschedule(when: number | undefined): void {
    if (when !== undefined && (typeof when !== 'number' || Number.isNaN(when))) {
      throw argTypeError(`Expected \`when\` to be a loop time in ms, got ${describe(when)}`);
    }
    if (this.#expired || this.#disposed || this.#controller.signal.aborted) return;
    if (this.#entry !== undefined) cancel(this.#entry);
    this.#entry = undefined;
    this.#when = when === Infinity ? undefined : when;
    if (this.#when !== undefined) {
      this.#entry = at(this.#when, () => {
        this.#entry = undefined;
        this.#expired = true;
        this.#dropParent();
        this.#controller.abort(new TimeoutError(`Timed out after the deadline of a timeout scope`));
      });
    }
  }

  /** Whether the deadline passed (and the signal aborted with a `TimeoutError`). */
  expired(): boolean {
    return this.#expired;
  }

  /** Ends the scope: drops the timer and the parent listener. Idempotent. */
  [Symbol.dispose](): void {
    this.#disposed = true;
    this.#stop();
  }

  #stop(): void {
    if (this.#entry !== undefined) cancel(this.#entry);
    this.#entry = undefined;
    this.#dropParent();
  }

  #dropParent(): void {
    if (this.#onParentAbort !== undefined) {
      this.#parent!.removeEventListener('abort', this.#onParentAbort);
      this.#onParentAbort = undefined;
    }
  }

  toString(): string {
    const state = this.#expired ? 'expired' : this.#disposed ? 'finished' : 'active';
    return `<Timeout [${state}] when=${this.#when ?? 'none'}>`;
  }
}

/**
 * Opens a deadline scope `delay` ms from now (Python's `asyncio.timeout`).
 *
 * @param delay - Ms from now, >= 0; `undefined` or `Infinity` for no deadline (see `reschedule`).
 * @throws {RangeError} for a negative delay.
 * @example
 * ```ts
 * using scope = timeout(2_000);
 * const res = await fetch(url, { signal: scope.signal }); // TimeoutError after 2 s
 * ```
 */
export function timeout(delay: number | undefined, options?: TimeoutOptions): Timeout {
  const ms = checkTimeout(delay, 'delay');
  const signal = checkSignal(checkOptions(options, 'timeout(delay, options)', '{ signal }').signal);
  return new Timeout(ms === Infinity ? undefined : now() + ms, signal);
}

/**
 * Opens a deadline scope ending at loop time `when` (Python's `asyncio.timeout_at`).
 *
 * @param when - Loop time in ms (`getEventLoop().time()` base); `undefined` for no deadline.
 * @example
 * ```ts
 * const loop = getEventLoop();
 * using scope = timeoutAt(loop.time() + 2_000);
 * await sleep(50, { signal: scope.signal }); // done well before the deadline
 * ```
 */
export function timeoutAt(when: number | undefined, options?: TimeoutOptions): Timeout {
  return new Timeout(
    when,
    checkSignal(checkOptions(options, 'timeoutAt(when, options)', '{ signal }').signal),
  );
}
