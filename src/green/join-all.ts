import { rejected } from '../internal/reject.js';
import { argTypeError, describe } from '../internal/errors.js';
import {
  checkBoolean,
  checkInt,
  checkOptions,
  checkTimeout,
  KILL_FORM,
} from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import type { Waiter } from '../internal/waiters.js';
import { Greenlet } from './greenlet.js';
import type { KillOptions } from './greenlet.js';
import { blocking } from './hub.js';

/** Options of {@link joinAll}. */
export interface JoinAllOptions {
  /** Most ms to wait. @default Infinity */
  readonly timeout?: number;
  /** `true`: throw the error of the first greenlet to fail, as soon as it fails. @default false */
  readonly raiseError?: boolean;
}

/**
 * Options of {@link wait} (gevent's `wait(objects, timeout, count)`). Not the
 * shared `WaitOptions` of the other modules: no signal, and `count`.
 */
export interface GreenWaitOptions {
  /** Most ms to wait. @default Infinity */
  readonly timeout?: number;
  /** Return once this many have finished. @default all of them */
  readonly count?: number;
}

/**
 * The former name of {@link GreenWaitOptions}, kept so that imports keep working.
 *
 * @deprecated Use {@link GreenWaitOptions}; `WaitOptions` names the shared
 * `{ timeout, signal }` options in the other modules.
 */
export type WaitOptions = GreenWaitOptions;

/**
 * Waits for greenlets to finish (gevent's `joinall`).
 *
 * @returns The greenlets that finished, in the order they finished (those
 * already finished first, in argument order): all of them unless `timeout` passed.
 * @throws the first failure's error with `raiseError: true`.
 * @example
 * ```ts
 * await joinAll([spawn(foo), spawn(bar)]);
 * const done = await joinAll(greenlets, { timeout: 1_000 });
 * ```
 */
export async function joinAll<G extends Greenlet<unknown>>(
  greenlets: Iterable<G>,
  options?: JoinAllOptions,
): Promise<G[]> {
  checkOptions(options, 'joinAll(greenlets, options)', '{ timeout: 100, raiseError: true }');
  const raiseError = options?.raiseError ?? false;
  if (typeof raiseError !== 'boolean') {
    throw argTypeError(`Expected \`raiseError\` to be a boolean, got ${describe(raiseError)}`);
  }
  const list = toList(greenlets);
  const done = await collect(list, list.length, checkTimeout(options?.timeout), raiseError);
  if (raiseError) {
    const failed = done.find((g) => !g.successful());
    if (failed !== undefined) throw failed.exception;
  }
  return done;
}

/**
 * Waits until `count` of the greenlets have finished (gevent's `wait`).
 *
 * @returns The ones that finished, in the order they finished.
 * @example
 * ```ts
 * const [first] = await wait([a, b, c], { count: 1 }); // the first to finish
 * ```
 */
export function wait<G extends Greenlet<unknown>>(
  greenlets: Iterable<G>,
  options?: GreenWaitOptions,
): Promise<G[]> {
  try {
    return waitChecked(greenlets, options);
  } catch (error) {
    return rejected(error);
  }
}

function waitChecked<G extends Greenlet<unknown>>(
  greenlets: Iterable<G>,
  options?: GreenWaitOptions,
): Promise<G[]> {
  checkOptions(options, 'wait(greenlets, options)', '{ count: 1, timeout: 100 }');
  const list = toList(greenlets);
  const count =
    options?.count === undefined ? list.length : checkInt(options.count, 'count', 0, list.length);
  return collect(list, count, checkTimeout(options?.timeout), false);
}

/**
 * Kills greenlets (gevent's `killall`): see `Greenlet.kill`.
 *
 * @returns Whether all are dead: at once with `block: false`, else once they died or `timeout` passed.
 * @example
 * ```ts
 * await killAll(workers, { timeout: 1_000 });
 * ```
 */
export async function killAll(
  greenlets: Iterable<Greenlet<unknown>>,
  options?: KillOptions,
): Promise<boolean> {
  checkBoolean(checkOptions(options, 'killAll(greenlets, options)', KILL_FORM).block, 'block');
  const timeout = checkTimeout(options?.timeout);
  const list = toList(greenlets);
  for (const g of list) {
    void g.kill({ ...options, block: false });
  }
  if (options?.block === false) return list.every((g) => g.ready());
  const done = await collect(list, list.length, timeout, false);
  return done.length === list.length;
}

// Resolves with the finished greenlets (in finishing order) once `count` have
// finished, `timeout` passed, or (raiseError) one failed.
async function collect<G extends Greenlet<unknown>>(
  list: readonly G[],
  count: number,
  timeout: number,
  raiseError: boolean,
): Promise<G[]> {
  const done = list.filter((g) => g.ready());
  const enough = (): boolean =>
    done.length >= count || (raiseError && done.some((g) => !g.successful()));
  if (enough() || timeout === 0) return done;
  const waiters = new WaiterList<void>();
  // Greenlets finishing after the wait ended are not reported.
  const observer = (g: Greenlet<unknown>): void => {
    const w = waiters.first();
    if (w === undefined) return;
    done.push(g as G);
    if (enough()) waiters.grant(w, undefined);
  };
  const pending = list.filter((g) => !g.ready());
  for (const g of pending) g._observe(observer);
  try {
    await blocking((signal) => waiters.park(undefined, timeout, signal, timedOut));
  } finally {
    for (const g of pending) g._unobserve(observer);
  }
  return done;
}

function timedOut(w: Waiter<void, undefined>): void {
  w.resolve();
}

function toList<G>(greenlets: Iterable<G>): G[] {
  if (
    greenlets === null ||
    typeof (greenlets as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function'
  ) {
    throw argTypeError(
      `Expected \`greenlets\` to be an iterable of greenlets, got ${describe(greenlets)}`,
    );
  }
  const list = [...greenlets];
  for (const g of list) {
    if (!(g instanceof Greenlet)) {
      throw argTypeError(`Expected \`greenlets\` to hold greenlets, got ${describe(g)}`);
    }
  }
  return [...new Set(list)];
}
