// Python's module-level multiprocessing.Lock, RLock, Semaphore,
// BoundedSemaphore, Event, Condition and Barrier (multiprocessing's
// synchronize): the Manager's synchronization proxies, made with `new`,
// served by the private server of the thread that made them
// (local-server.ts). Same API as weft/threading's, across processes.

import { argTypeError, describe } from '../internal/errors.js';
import { SHARE } from '../internal/codec.js';
import { checkInt, checkOptions, checkTimeout } from '../internal/validate.js';
import { adopted, createOwn, registerOwn } from './local-server.js';
import {
  BarrierProxy,
  ConditionProxy,
  EventProxy,
  LockProxy,
  RLockProxy,
  SemaphoreProxy,
} from './proxies-sync.js';
import type { ProxyRef } from './proxy-base.js';

/**
 * Python's `multiprocessing.Lock`: a lock that processes and threads share
 * when it is passed to them (`Process` args, `Pool` task arguments, `Thread`
 * args, queue items). Not owned: any holder of it may release it. If a
 * process dies holding it, the server releases it (`abandoned()` counts).
 * Each operation is a round trip to the server thread of the process that
 * made it; between threads of one process, weft/threading's `Lock` is the
 * memory-speed one.
 *
 * @example
 * ```ts
 * import { Lock } from 'weft/multiprocessing';
 *
 * const lock = new Lock();
 * {
 *   using _ = lock.holdSync();
 *   // …one process at a time here
 * }
 * console.log(lock.locked()); // false
 * ```
 */
export class Lock extends LockProxy {
  /** @remarks *Blocking*: one round trip to this thread's server (the first one starts it). */
  constructor() {
    super(adopted() ?? createOwn('Lock', []));
  }
}

/**
 * Python's `multiprocessing.RLock`: re-entrant, owned by the thread (of any
 * process) that took it; only the owner releases it.
 *
 * @example
 * ```ts
 * import { RLock } from 'weft/multiprocessing';
 *
 * const rlock = new RLock();
 * rlock.acquireSync();
 * rlock.acquireSync(); // re-entered by its owner
 * rlock.release();
 * rlock.release();
 * ```
 */
export class RLock extends RLockProxy {
  /** @remarks *Blocking*: one round trip to this thread's server. */
  constructor() {
    super(adopted() ?? createOwn('RLock', []));
  }
}

const permits = (value: unknown): number => checkInt(value, 'value', 0, 2 ** 31 - 1);

/**
 * Python's `multiprocessing.Semaphore(value)`: `value` permits shared by
 * every process it is passed to. Permits are not owned.
 *
 * @example
 * ```ts
 * import { Semaphore } from 'weft/multiprocessing';
 *
 * const slots = new Semaphore(2);
 * if (await slots.acquire({ timeout: 1000 })) slots.release();
 * console.log(slots.value); // 2
 * ```
 */
export class Semaphore extends SemaphoreProxy {
  /**
   * @param value - The initial permits. @default 1
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative `value`.
   */
  constructor(value = 1) {
    super(adopted() ?? createOwn('Semaphore', [permits(value)]));
  }
}

/**
 * Python's `multiprocessing.BoundedSemaphore(value)`: a {@link Semaphore}
 * whose `release()` past the initial value throws `ERR_SEMAPHORE_OVERRELEASED`.
 *
 * @example
 * ```ts
 * import { BoundedSemaphore } from 'weft/multiprocessing';
 *
 * const slots = new BoundedSemaphore(1);
 * slots.acquireSync();
 * slots.release();
 * ```
 */
export class BoundedSemaphore extends SemaphoreProxy {
  /**
   * @param value - The initial (and most) permits. @default 1
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative `value`.
   */
  constructor(value = 1) {
    super(adopted() ?? createOwn('BoundedSemaphore', [permits(value)]));
  }
}

/**
 * Python's `multiprocessing.Event`: a flag that processes set, clear and wait for.
 *
 * @example
 * ```ts
 * import { Event } from 'weft/multiprocessing';
 *
 * const ready = new Event();
 * ready.set();
 * console.log(await ready.wait({ timeout: 1000 })); // true
 * ```
 */
export class Event extends EventProxy {
  /** @remarks *Blocking*: one round trip to this thread's server. */
  constructor() {
    super(adopted() ?? createOwn('Event', []));
  }
}

/**
 * Python's `multiprocessing.Condition(lock)`: waits and notifications across
 * processes, over `lock` (a weft/multiprocessing or Manager `Lock` /
 * `RLock`; the Condition is made in the server that serves it) or a new
 * `RLock`. Same API as weft/threading's.
 *
 * @example
 * ```ts
 * import { Condition } from 'weft/multiprocessing';
 *
 * const cond = new Condition();
 * cond.acquireSync();
 * cond.notifyAll();
 * cond.release();
 * ```
 */
export class Condition extends ConditionProxy {
  /**
   * @param lock - The lock it waits with. @default a new RLock
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` if `lock` is not a Lock or RLock proxy.
   */
  constructor(lock?: LockProxy) {
    super(adopted() ?? newCondition(lock));
  }
}

function newCondition(lock: LockProxy | undefined) {
  if (lock === undefined) return createOwn('Condition', []);
  const ref =
    lock instanceof LockProxy && (lock.typeid === 'Lock' || lock.typeid === 'RLock')
      ? (lock[SHARE]().state as ProxyRef)
      : undefined;
  if (ref === undefined) {
    throw argTypeError(
      `Expected \`lock\` to be a Lock or RLock of weft/multiprocessing or a Manager, got ${describe(lock)}`,
    );
  }
  return createOwn('Condition', [ref.id], {}, ref);
}

/** Options of the module-level {@link Barrier}. */
export interface BarrierProcessOptions {
  /** Default timeout of `wait()`, in ms; a wait that times out breaks the barrier. @default Infinity */
  readonly timeout?: number;
}

/**
 * Python's `multiprocessing.Barrier(parties, timeout=…)`, without `action`
 * (it would be code sent to the server). A party that dies while waiting
 * breaks it.
 *
 * @example
 * ```ts
 * import { Barrier } from 'weft/multiprocessing';
 *
 * const start = new Barrier(1);
 * console.log(await start.wait({ timeout: 1000 })); // 0
 * ```
 */
export class Barrier extends BarrierProxy {
  /**
   * @param parties - How many must wait before all pass (>= 1).
   * @param options - `{ timeout }`.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for `parties` < 1 or a negative timeout.
   */
  constructor(parties: number, options?: BarrierProcessOptions) {
    super(adopted() ?? newBarrier(parties, options));
  }
}

function newBarrier(parties: unknown, options: BarrierProcessOptions | undefined) {
  const { timeout } = checkOptions(options, 'new Barrier(parties, options)', '{ timeout: 1000 }');
  if ('action' in (options ?? {})) {
    throw argTypeError(
      "A weft/multiprocessing Barrier takes no `action`: it would be code sent to the server (use weft/threading's Barrier for one)",
    );
  }
  return createOwn('Barrier', [checkInt(parties, 'parties', 1), checkTimeout(timeout)]);
}

registerOwn('Lock', Lock);
registerOwn('RLock', RLock);
registerOwn('Semaphore', Semaphore);
registerOwn('BoundedSemaphore', BoundedSemaphore);
registerOwn('Event', Event);
registerOwn('Condition', Condition);
registerOwn('Barrier', Barrier as unknown as new () => Barrier);
