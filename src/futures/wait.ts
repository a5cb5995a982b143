// wait() and asCompleted() register a waiter on each future that is not done
// yet (a cheap internal list on the future, not a Promise per future) and
// remove it again when they return, so waiting on a long-lived future many
// times leaks nothing.

import { argTypeError, codedError, describe, TimeoutError } from '../internal/errors.js';
import { checkOptions, checkTimeout } from '../internal/validate.js';
import { deadlineOf, remaining } from '../internal/wait.js';
import { setLongTimeout, type LongTimer } from '../internal/timer.js';
import { Future, NONE, addWaiter, failedWith, removeWaiter } from './future.js';

/**
 * {@link wait} returns as soon as any future finishes or is cancelled.
 *
 * @example
 * ```ts
 * const { done } = await wait(futures, { returnWhen: FIRST_COMPLETED });
 * ```
 */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/**
 * {@link wait} returns as soon as any future finishes by raising; like
 * `ALL_COMPLETED` if none does.
 *
 * @example
 * ```ts
 * const { done, notDone } = await wait(futures, { returnWhen: FIRST_EXCEPTION });
 * for (const f of notDone) f.cancel();
 * ```
 */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/**
 * {@link wait} returns when every future is finished or cancelled (the default).
 *
 * @example
 * ```ts
 * await wait(futures, { returnWhen: ALL_COMPLETED, timeout: 5_000 });
 * ```
 */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When {@link wait} returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/**
 * Options of {@link wait} (Python's `wait(fs, timeout, return_when)`). Not the
 * {@link WaitOptions} of the other waiting methods: no signal, and a timeout
 * returns what is done instead of failing.
 */
export interface WaitFuturesOptions {
  /** Most ms to wait; `wait` then returns what is done so far (it never throws on timeout). @default Infinity */
  readonly timeout?: number;
  /** @default 'ALL_COMPLETED' */
  readonly returnWhen?: ReturnWhen;
}

/**
 * The former name of {@link WaitFuturesOptions}, kept so that imports keep working.
 *
 * @deprecated Use {@link WaitFuturesOptions}; `WaitOptions` names the shared
 * `{ timeout, signal }` options everywhere else.
 */
export type WaitOptions = WaitFuturesOptions;

/** What {@link wait} returns: two disjoint sets of the given futures. */
export interface DoneAndNotDone<F> {
  /** The futures that finished or were cancelled. */
  readonly done: Set<F>;
  /** The others (still pending or running). */
  readonly notDone: Set<F>;
}

/**
 * Waits until some or all of the futures are done, or the timeout passes.
 * Python's `concurrent.futures.wait`. Duplicates collapse; cancelled and
 * failed futures count as done.
 *
 * @param futures - Any iterable of futures (from any executors).
 * @returns `{ done, notDone }`, two `Set`s.
 * @example
 * ```ts
 * import { wait, FIRST_COMPLETED } from 'weft/futures';
 * const futures = [1, 2, 3].map((n) => pool.submit(work.slow, n));
 * const { done, notDone } = await wait(futures, { returnWhen: FIRST_COMPLETED });
 * ```
 */
export async function wait<F extends Future<unknown>>(
  futures: Iterable<F>,
  options: WaitFuturesOptions = {},
): Promise<DoneAndNotDone<F>> {
  checkOptions(options, 'wait(futures, options)', '{ timeout: 100, returnWhen: FIRST_COMPLETED }');
  const all = collect(futures);
  const timeout = checkTimeout(options.timeout);
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (
    returnWhen !== FIRST_COMPLETED &&
    returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    throw codedError(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      `Expected \`returnWhen\` to be 'FIRST_COMPLETED', 'FIRST_EXCEPTION' or 'ALL_COMPLETED', got ${describe(returnWhen)}`,
    );
  }
  const done = new Set<F>();
  const notDone = new Set<F>();
  let raised = false;
  for (const f of all) {
    if (f.done()) {
      done.add(f);
      raised ||= failedWith(f) !== NONE;
    } else notDone.add(f);
  }
  const satisfied = (): boolean =>
    notDone.size === 0 ||
    (returnWhen === FIRST_COMPLETED && done.size > 0) ||
    (returnWhen === FIRST_EXCEPTION && raised);
  if (satisfied() || timeout === 0) return { done, notDone };

  const waiting = [...notDone];
  await new Promise<void>((resolve) => {
    let timer: LongTimer | undefined;
    const onDone = (f: Future<unknown>): void => {
      notDone.delete(f as F);
      done.add(f as F);
      raised ||= failedWith(f) !== NONE;
      if (satisfied()) finish();
    };
    const finish = (): void => {
      timer?.clear();
      for (const f of waiting) removeWaiter(f, onDone);
      resolve();
    };
    // Nothing ran since the scan above, so every future in `waiting` is still pending.
    for (const f of waiting) addWaiter(f, onDone);
    if (!satisfied() && timeout !== Infinity) timer = setLongTimeout(finish, timeout);
  });
  return { done, notDone };
}

/**
 * A done future as {@link asCompleted} yields it: the future itself (`===`,
 * Map keys, `f.result()`), typed so that TypeScript's `for await` does not
 * unwrap it (a `Future` is a promise, and TypeScript types `for await`
 * elements as awaited values), and so that `await f` inside the loop types
 * as the future's value, as it is at run time.
 *
 * @remarks The intersection with the value type is what lets `await f`
 * type-check (TypeScript gives `for await` and `await` the same unwrapping,
 * so no thenable type can be kept by one and unwrapped by the other); use
 * `f` itself only as the future, and its value through `await f` or
 * `f.result()`.
 */
export type Completed<F> = F & {
  /** Hidden, so that `for await` yields the future itself (see above). */
  readonly then: never;
} & Awaited<F>;

/** Options of {@link asCompleted}. */
export interface AsCompletedOptions {
  /** Most ms, counted from the call, until every future must be done; then the iterator throws `TimeoutError`. @default Infinity */
  readonly timeout?: number;
}

/**
 * Yields the futures as they complete (finished or cancelled): those already
 * done first, then the others in completion order. Python's
 * `concurrent.futures.as_completed`. Duplicates are yielded once; yielded
 * futures are not kept. Each is yielded as itself, typed {@link Completed}:
 * read it with `await f` or `await f.result()`.
 *
 * @throws {TimeoutError} `ERR_TIMEOUT` (`2 (of 4) futures unfinished`) if not all are done within `timeout` ms of the call.
 * @example
 * ```ts
 * import { asCompleted } from 'weft/futures';
 * const urls = new Map(list.map((url) => [pool.submit(work.load, url), url]));
 * for await (const future of asCompleted(urls.keys(), { timeout: 10_000 })) {
 *   try { console.log(urls.get(future), (await future.result()).length); }
 *   catch (error) { console.log(urls.get(future), 'failed:', error); }
 * }
 * ```
 */
export function asCompleted<F extends Future<unknown>>(
  futures: Iterable<F>,
  options: AsCompletedOptions = {},
): AsyncIterableIterator<Completed<F>> {
  checkOptions(options, 'asCompleted(futures, options)', '{ timeout: 100 }');
  const pending = collect(futures);
  const deadline = deadlineOf(checkTimeout(options.timeout));
  return new Completion(pending, deadline) as AsyncIterableIterator<Completed<F>>;
}

// A hand-written iterator, not an async generator: a generator would await
// each yielded future (a Future is a promise) and yield its result instead.
class Completion<F extends Future<unknown>> implements AsyncIterableIterator<F> {
  readonly #pending: Set<F>;
  readonly #ready: F[] = [];
  readonly #deadline: number;
  readonly #total: number;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(pending: Set<F>, deadline: number) {
    this.#pending = pending;
    this.#deadline = deadline;
    this.#total = pending.size;
    for (const f of pending) if (f.done()) this.#ready.push(f);
    for (const f of this.#ready) pending.delete(f);
    for (const f of pending) addWaiter(f, this.#onDone);
  }

  readonly #onDone = (f: Future<unknown>): void => {
    if (!this.#pending.delete(f as F)) return;
    this.#ready.push(f as F);
    this.#wake?.();
  };

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<F, undefined>> {
    for (;;) {
      if (this.#closed) return { value: undefined, done: true };
      const f = this.#ready.shift();
      if (f !== undefined) return { value: f, done: false };
      if (this.#pending.size === 0) return this.#close();
      const left = remaining(this.#deadline);
      if (left <= 0) {
        const unfinished = this.#pending.size;
        this.#close();
        throw new TimeoutError(`${unfinished} (of ${this.#total}) futures unfinished`);
      }
      await new Promise<void>((resolve) => {
        const timer = left === Infinity ? undefined : setLongTimeout(done, left);
        const wake = (this.#wake = done);
        function done(): void {
          timer?.clear();
          resolve();
        }
        void wake;
      });
      this.#wake = undefined;
    }
  }

  return(): Promise<IteratorResult<F, undefined>> {
    return Promise.resolve(this.#close());
  }

  #close(): IteratorResult<F, undefined> {
    this.#closed = true;
    for (const f of this.#pending) removeWaiter(f, this.#onDone);
    this.#pending.clear();
    this.#ready.length = 0;
    return { value: undefined, done: true };
  }
}

function collect<F>(futures: Iterable<F>): Set<F> {
  if (typeof (futures as Partial<Iterable<F>> | null)?.[Symbol.iterator] !== 'function') {
    throw argTypeError(
      `Expected \`futures\` to be an iterable of futures, got ${describe(futures)}`,
    );
  }
  const set = new Set(futures);
  for (const f of set) {
    if (!(f instanceof Future)) {
      throw argTypeError(`Expected \`futures\` to hold only futures, got ${describe(f)}`);
    }
  }
  return set;
}
