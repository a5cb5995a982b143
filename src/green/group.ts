import { Deque } from '../internal/deque.js';
import { argTypeError, describe } from '../internal/errors.js';
import { checkOptions, checkTimeout } from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import type { Waiter } from '../internal/waiters.js';
import { Greenlet } from './greenlet.js';
import type { KillOptions } from './greenlet.js';
import { blocking } from './hub.js';
import { killAll } from './join-all.js';
import { inThreadOnly } from '../internal/classes.js';

/** Options of a group's `join`. */
export interface GroupJoinOptions {
  /** Most ms to wait. @default Infinity */
  readonly timeout?: number;
  /** `true`: once the group is empty, throw the error of a greenlet that failed meanwhile. @default false */
  readonly raiseError?: boolean;
}

/** An input `map` and friends accept. */
export type Items<T> = Iterable<T> | AsyncIterable<T>;

interface Outcome {
  readonly ok: boolean;
  /** The result, or the error when not ok. */
  readonly value: unknown;
}

/**
 * What {@link Group} and {@link Pool} share: a set of greenlets that leave it
 * when they finish, joined and killed together, and `map`, `imap` and
 * `imapUnordered` over them.
 *
 * @example
 * ```ts
 * async function stopAll(group: BaseGroup): Promise<void> {
 *   if (!(await group.join({ timeout: 1_000 }))) await group.kill();
 * }
 * ```
 */
export abstract class BaseGroup {
  readonly #greenlets = new Set<Greenlet<unknown>>();
  readonly #joiners = new WaiterList<boolean>();
  readonly #onDeath = (g: Greenlet<unknown>): void => {
    if (this.#greenlets.has(g)) this.discard(g);
  };

  /** How many greenlets are in the group (gevent's `len(group)`). */
  get length(): number {
    return this.#greenlets.size;
  }

  /** Whether `greenlet` is in the group. */
  has(greenlet: Greenlet<unknown>): boolean {
    return this.#greenlets.has(greenlet);
  }

  /** The greenlets in the group, oldest first. */
  [Symbol.iterator](): IterableIterator<Greenlet<unknown>> {
    return this.#greenlets.values();
  }

  /** Removes a greenlet from the group (it keeps running). */
  discard(greenlet: Greenlet<unknown>): void {
    if (!this.#greenlets.delete(greenlet)) return;
    greenlet._unobserve(this.#onDeath);
    this._freed();
    if (this.#greenlets.size === 0) this.#joiners.grantAll(true);
  }

  /**
   * Waits until the group is empty (gevent's `Group.join`).
   *
   * @returns `true` once empty; `false` if `timeout` passed first.
   * @throws with `raiseError`, the error of a greenlet of the group that failed.
   */
  async join(options?: GroupJoinOptions): Promise<boolean> {
    checkOptions(options, 'group.join(options)', '{ timeout: 100, raiseError: true }');
    const timeout = checkTimeout(options?.timeout);
    const raiseError = options?.raiseError ?? false;
    const members = raiseError ? [...this.#greenlets] : [];
    const empty =
      this.#greenlets.size === 0 ||
      (timeout > 0 &&
        (await blocking((signal) => this.#joiners.park(undefined, timeout, signal, timedOut))));
    const failed = members.find((g) => g.ready() && !g.successful());
    if (failed !== undefined) throw failed.exception;
    return empty;
  }

  /**
   * Kills every greenlet of the group (see `Greenlet.kill`).
   *
   * @returns Whether all are dead.
   */
  kill(options?: KillOptions): Promise<boolean> {
    return killAll([...this.#greenlets], options);
  }

  /**
   * Calls `fn(item)` for each item in greenlets of this group and returns
   * the results in input order (gevent's `map`).
   *
   * @throws the first error in input order (the other greenlets are not killed).
   */
  async map<T, R>(fn: (item: T) => R, items: Items<T>): Promise<Awaited<R>[]> {
    const results: Awaited<R>[] = [];
    for await (const r of this.imap(fn, items)) results.push(r);
    return results;
  }

  /**
   * Like `map`, yielding results in input order as they become available
   * (gevent's `imap`). Greenlets are started as the group has room.
   *
   * @remarks Leaving the loop early starts no more greenlets; those running go on.
   */
  imap<T, R>(fn: (item: T) => R, items: Items<T>): AsyncGenerator<Awaited<R>, void, undefined> {
    return this.#imap(fn, items, true);
  }

  /**
   * Like `imap`, yielding results in the order they finish (gevent's
   * `imap_unordered`). With the same inputs and timings the order is the
   * same on every run: greenlets start in input order, and timers due at
   * the same time fire first-in-first-out.
   */
  imapUnordered<T, R>(
    fn: (item: T) => R,
    items: Items<T>,
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    return this.#imap(fn, items, false);
  }

  /** @internal Reserves room for one greenlet: `true` at once, or once room is made. */
  protected abstract _reserve(signal: AbortSignal | undefined, timeout: number): Promise<boolean>;

  /** @internal A greenlet left: its room is free. */
  protected abstract _freed(): void;

  /** @internal Adds a greenlet whose room is reserved, and starts it. */
  protected _admit<G extends Greenlet<unknown>>(greenlet: G): G {
    this.#greenlets.add(greenlet);
    greenlet._observe(this.#onDeath);
    greenlet.start();
    return greenlet;
  }

  async *#imap<T, R>(
    fn: (item: T) => R,
    items: Items<T>,
    ordered: boolean,
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    if (typeof fn !== 'function') {
      throw argTypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
    }
    if (!isIterable(items)) {
      throw argTypeError(`Expected \`items\` to be iterable, got ${describe(items)}`);
    }
    const byIndex = new Map<number, Outcome>();
    const arrived = new Deque<Outcome>();
    const wake = new WaiterList<void>();
    const stop = new AbortController();
    let started = 0;
    let finished = 0;
    let feeding = true;
    let feedError: { readonly error: unknown } | undefined;
    const notify = (): void => {
      const w = wake.first();
      if (w !== undefined) wake.grant(w, undefined);
    };
    const feed = async (): Promise<void> => {
      try {
        for await (const item of items) {
          if (!(await this._reserve(stop.signal, Infinity))) break;
          if (stop.signal.aborted) {
            this._freed();
            break;
          }
          const index = started++;
          const g = new Greenlet<Awaited<R>>(fn as unknown as (...args: never) => Awaited<R>, item);
          g._observe(() => {
            const outcome = { ok: g.successful(), value: g.successful() ? g.value : g.exception };
            if (ordered) byIndex.set(index, outcome);
            else arrived.push(outcome);
            finished++;
            notify();
          });
          this._admit(g);
        }
      } catch (error) {
        if (!stop.signal.aborted) feedError = { error };
      } finally {
        feeding = false;
        notify();
      }
    };
    void feed();
    try {
      for (let next = 0; ;) {
        let outcome: Outcome | undefined;
        if (ordered) {
          outcome = byIndex.get(next);
          if (outcome !== undefined) {
            byIndex.delete(next);
            next++;
          }
        } else if (arrived.length > 0) outcome = arrived.shift();
        if (outcome !== undefined) {
          if (!outcome.ok) throw outcome.value;
          yield outcome.value as Awaited<R>;
          continue;
        }
        if (!feeding && finished === started) {
          if (feedError !== undefined) throw feedError.error;
          return;
        }
        await blocking((signal) => wake.park(undefined, Infinity, signal));
      }
    } finally {
      stop.abort();
    }
  }
}

/**
 * A group of greenlets without a size limit (gevent's `Group`): greenlets
 * spawned in it, or added, leave it when they finish.
 *
 * @example
 * ```ts
 * const group = new Group();
 * group.spawn(fetchPage, 'https://example.com/1');
 * group.spawn(fetchPage, 'https://example.com/2');
 * await group.join();
 * const lengths = await group.map((s: string) => s.length, ['a', 'bb']);
 * ```
 */
export class Group extends BaseGroup {
  /** Spawns `fn(...args)` in the group. */
  spawn<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Greenlet<Awaited<R>> {
    return this._admit(
      new Greenlet<Awaited<R>>(fn as unknown as (...args: never) => Awaited<R>, ...args),
    );
  }

  /** Adds a greenlet (starting it if it was not); it leaves when it finishes. */
  add(greenlet: Greenlet<unknown>): void {
    if (!(greenlet instanceof Greenlet)) {
      throw argTypeError(`Expected \`greenlet\` to be a Greenlet, got ${describe(greenlet)}`);
    }
    if (this.has(greenlet) || greenlet.ready()) return;
    this._admit(greenlet);
  }

  /** @internal */
  protected override _reserve(): Promise<boolean> {
    return RESOLVED_TRUE;
  }

  /** @internal */
  protected override _freed(): void {}

  override toString(): string {
    return `<Group length=${this.length}>`;
  }
}

const RESOLVED_TRUE = Promise.resolve(true);

function timedOut(w: Waiter<boolean, undefined>): void {
  w.resolve(false);
}

function isIterable(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as Record<symbol, unknown>)[Symbol.iterator] === 'function' ||
      typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function')
  );
}

inThreadOnly(BaseGroup, 'weft/green', 'run work in other threads with weft/futures');
