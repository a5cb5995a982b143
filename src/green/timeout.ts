import { StateError, TimeoutError } from '../internal/errors.js';
import { at, cancel } from '../internal/scheduler.js';
import type { Entry } from '../internal/scheduler.js';
import { checkTimeout } from '../internal/validate.js';
import { now } from '../internal/wait.js';
import { currentContext } from './hub.js';
import type { Context } from './hub.js';

/**
 * A deadline for the greenlet that starts it (gevent's `Timeout`): when it
 * expires, its exception (by default the Timeout itself, which is an error)
 * is raised in that greenlet at its current, or next, green blocking call
 * (`sleep`, `join`, `get`, `joinAll`, a pool waiting for room), and `signal`
 * aborts with it, for non-green work. Outside any greenlet it applies to the
 * main flow, like gevent's main greenlet.
 *
 * A `TimeoutError` (code `ERR_TIMEOUT`), named `Timeout`.
 *
 * @example
 * ```ts
 * {
 *   using timeout = Timeout.startNew(100);
 *   try {
 *     await sleep(1_000);
 *   } catch (e) {
 *     if (e !== timeout) throw e;
 *     console.log('timed out');
 *   }
 * } // disposing cancels it
 * ```
 */
export class Timeout extends TimeoutError implements Disposable {
  /** Ms after `start()` at which it expires; `undefined`: never. */
  readonly ms: number | undefined;
  readonly #exception: unknown;
  #entry: Entry | undefined;
  #context: Context | undefined;
  #controller: AbortController | undefined;
  #expired = false;

  /**
   * Makes a timeout; it starts counting at `start()`.
   *
   * @param ms - Ms, >= 0; `undefined` or `Infinity` never expires.
   * @param exception - What to raise when it expires. @default this Timeout
   * @throws {RangeError} for a negative `ms`.
   */
  constructor(ms?: number, exception?: unknown) {
    const timeout = checkTimeout(ms, 'ms');
    super(timeout === Infinity ? 'Timeout (never expires)' : `Timed out after ${timeout} ms`);
    this.ms = timeout === Infinity ? undefined : timeout;
    this.#exception = exception ?? this;
  }

  /** Makes and starts a timeout (gevent's `Timeout.start_new`). */
  static startNew(ms?: number, exception?: unknown): Timeout {
    return new Timeout(ms, exception).start();
  }

  /**
   * Starts counting, for the greenlet running this code.
   *
   * @returns This timeout.
   * @throws {StateError} `ERR_TIMEOUT_PENDING` if it is already counting.
   */
  start(): this {
    if (this.pending) {
      throw new StateError('ERR_TIMEOUT_PENDING', 'The Timeout has already started');
    }
    this.#expired = false;
    this.#context = currentContext();
    if (this.ms !== undefined) this.#entry = at(now() + this.ms, () => this.#expire());
    return this;
  }

  /** Whether it is counting (started, not expired, not cancelled). */
  get pending(): boolean {
    return this.#entry !== undefined;
  }

  /** Whether it has expired. */
  get expired(): boolean {
    return this.#expired;
  }

  /** Aborts with the exception when it expires. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Stops counting; an expiry not yet raised in the greenlet is withdrawn. Idempotent. */
  cancel(): void {
    if (this.#entry !== undefined) cancel(this.#entry);
    this.#entry = undefined;
    this.#context?.withdraw(this.#exception);
    this.#context = undefined;
  }

  /** Same as `cancel()` (gevent's `close`). */
  close(): void {
    this.cancel();
  }

  /** Cancels it: `using timeout = Timeout.startNew(ms)`. */
  [Symbol.dispose](): void {
    this.cancel();
  }

  #expire(): void {
    this.#entry = undefined;
    this.#expired = true;
    this.#controller ??= new AbortController();
    this.#controller.abort(this.#exception);
    this.#context?.interrupt(this.#exception);
  }

  override toString(): string {
    return `<Timeout ms=${this.ms ?? 'never'}${this.pending ? ' pending' : ''}${this.#expired ? ' expired' : ''}>`;
  }
}
