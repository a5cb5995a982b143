import { argTypeError, describe } from '../internal/errors.js';
import { checkInt, checkOptions, checkTimeout } from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import type { Waiter } from '../internal/waiters.js';
import { Greenlet } from './greenlet.js';
import { BaseGroup } from './group.js';
import { blocking } from './hub.js';
import { Timeout } from './timeout.js';

/** Options of the pool calls that wait for room. */
export interface PoolWaitOptions {
  /** Most ms to wait for room; then a {@link Timeout} is thrown. @default Infinity */
  readonly timeout?: number;
}

/**
 * A group of at most `size` greenlets (gevent's `Pool`): `spawn` waits while
 * the pool is full, so no more than `size` run at once; `map`, `imap` and
 * `imapUnordered` run a function over inputs that way.
 *
 * @example
 * ```ts
 * const pool = new Pool(10);
 * for await (const page of pool.imapUnordered(fetchPage, urls)) console.log(page.length);
 * ```
 */
export class Pool extends BaseGroup {
  /** Most greenlets in the pool at once. */
  readonly size: number;
  #used = 0;
  readonly #waiters = new WaiterList<boolean>();

  /**
   * @param size - An integer >= 1.
   * @throws {RangeError} when `size` < 1.
   */
  constructor(size: number) {
    super();
    this.size = checkInt(size, 'size', 1);
  }

  /** How many more greenlets fit now (gevent's `free_count`). */
  freeCount(): number {
    return this.size - this.#used;
  }

  /** Whether the pool is full. */
  full(): boolean {
    return this.#used >= this.size;
  }

  /**
   * Spawns `fn(...args)` in the pool, waiting while it is full.
   *
   * @returns The greenlet, once there was room and it was started.
   */
  async spawn<A extends unknown[], R>(
    fn: (...args: A) => R,
    ...args: A
  ): Promise<Greenlet<Awaited<R>>> {
    if (typeof fn !== 'function') {
      throw argTypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
    }
    await this.#room(Infinity);
    return this._admit(
      new Greenlet<Awaited<R>>(fn as unknown as (...args: never) => Awaited<R>, ...args),
    );
  }

  /**
   * Adds a greenlet (starting it if it was not), waiting while the pool is full.
   *
   * @throws {Timeout} when `timeout` passes first.
   */
  async add(greenlet: Greenlet<unknown>, options?: PoolWaitOptions): Promise<void> {
    if (!(greenlet instanceof Greenlet)) {
      throw argTypeError(`Expected \`greenlet\` to be a Greenlet, got ${describe(greenlet)}`);
    }
    const timeout = checkTimeout(
      checkOptions(options, 'pool.add(greenlet, options)', '{ timeout: 100 }').timeout,
    );
    if (this.has(greenlet) || greenlet.ready()) return;
    await this.#room(timeout);
    if (this.has(greenlet) || greenlet.ready()) this._freed();
    else this._admit(greenlet);
  }

  /**
   * Waits until the pool has room (gevent's `wait_available`).
   *
   * @returns How many more greenlets fit.
   * @throws {Timeout} when `timeout` passes first.
   */
  async waitAvailable(options?: PoolWaitOptions): Promise<number> {
    const timeout = checkTimeout(
      checkOptions(options, 'pool.waitAvailable(options)', '{ timeout: 100 }').timeout,
    );
    if (this.#used < this.size) return this.freeCount();
    await this.#room(timeout);
    this._freed();
    return this.freeCount();
  }

  async #room(timeout: number): Promise<void> {
    if (!(await this._reserve(undefined, timeout))) throw new Timeout(timeout);
  }

  /** @internal */
  protected override _reserve(signal: AbortSignal | undefined, timeout: number): Promise<boolean> {
    if (this.#used < this.size) {
      this.#used++;
      return RESOLVED_TRUE;
    }
    if (timeout === 0) return RESOLVED_FALSE;
    return blocking((interrupt) => {
      // Both the green interruption and the caller's signal end the wait.
      const stop = signal === undefined ? interrupt : AbortSignal.any([interrupt, signal]);
      return this.#waiters.park(undefined, timeout, stop, timedOut);
    });
  }

  /** @internal Room is handed straight to the longest waiter, else freed. */
  protected override _freed(): void {
    const w = this.#waiters.first();
    if (w === undefined) this.#used--;
    else this.#waiters.grant(w, true);
  }

  override toString(): string {
    return `<Pool size=${this.size} length=${this.length} free=${this.freeCount()}>`;
  }
}

const RESOLVED_TRUE = Promise.resolve(true);
const RESOLVED_FALSE = Promise.resolve(false);

function timedOut(w: Waiter<boolean, undefined>): void {
  w.resolve(false);
}
