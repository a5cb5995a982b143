// Proxies of the synchronization objects and queues. They have the same
// API as weft/threading's and weft/queue's classes, so code (and the
// contract suites) written for those works with a manager's: the waiting
// operations have an async form and a `…Sync` twin; the non-waiting ones
// (`release`, `locked`, `set`, `putNowait`, `qsize`…) are Sync, as in
// threading, and each is one blocking round trip to the server.
//
// Timeouts run in the server (a wait that times out there answers false,
// or QueueEmpty/QueueFull), so a timeout is never shorter than asked. An
// aborted wait asks the server to give up; if the server granted it first
// (a lock, a permit, an item), the grant is given back before the promise
// rejects with `signal.reason`.

import { describe, argTypeError } from '../internal/errors.js';
import { QueueShutDown } from '../internal/queue-errors.js';
import { checkAcquire, checkInt, checkSignal, checkTimeout } from '../internal/validate.js';
import {
  holdAsync,
  holdSync,
  type AcquireOptions,
  type AcquireSyncOptions,
  type Guard,
  type WaitOptions,
  type WaitSyncOptions,
} from '../threading/guard.js';
import { BaseProxy, invoke, invokeSync } from './proxy-base.js';
import type { QueueWaitOptions } from '../internal/options.js';

function optionsOf<T extends object>(options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) {
    throw argTypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  }
  return options;
}

// Validates an async wait's options; rejects at once if already aborted.
function asyncWait(
  blocking: unknown,
  timeout: unknown,
  signal: unknown,
  flag = 'blocking',
): { timeout: number; signal: AbortSignal | undefined } {
  const t = checkAcquire(blocking, timeout, flag);
  const s = checkSignal(signal);
  s?.throwIfAborted();
  return { timeout: t, signal: s };
}

abstract class AcquirableProxy extends BaseProxy {
  /** Acquires; resolves false if `timeout` ms pass first (Python's `acquire(blocking, timeout)`). */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const { blocking, timeout, signal } = optionsOf(options);
    const w = asyncWait(blocking, timeout, signal);
    return (await invoke(this, 'acquire', [w.timeout], {
      signal: w.signal,
      giveBack: (granted) => {
        if (granted === true) void invoke(this, 'release', []).catch(() => undefined);
      },
    })) as boolean;
  }

  /** Acquires, blocking the calling thread; false on timeout. */
  acquireSync(options?: AcquireSyncOptions): boolean {
    const { blocking, timeout } = optionsOf(options);
    return invokeSync(this, 'acquire', [checkAcquire(blocking, timeout)]) as boolean;
  }

  /** Acquires and returns a guard for `await using`; throws `TimeoutError` on timeout. */
  hold(options?: AcquireOptions): Promise<Guard> {
    return holdAsync(this, options);
  }

  /** Acquires (blocking) and returns a guard for `using`; throws `TimeoutError` on timeout. */
  holdSync(options?: AcquireSyncOptions): Guard {
    return holdSync(this, options);
  }

  abstract release(): void;
}

/**
 * A proxy for a Lock (or, with typeid `'RLock'`, an RLock) in a Manager.
 * Same API as weft/threading's. A Lock is not owned (any client may
 * release it); an RLock is owned by the client thread that took it. If
 * that client dies (its process is killed, its thread terminated) while
 * holding it, the server releases it at once (`abandoned()` counts those).
 *
 * @example
 * ```ts
 * const lock = await manager.Lock();
 * {
 *   using held = lock.holdSync();
 *   v.setSync(v.getSync() + 1);
 * }
 * ```
 */
export class LockProxy extends AcquirableProxy {
  /** Releases. @throws {StateError} `ERR_LOCK_NOT_HELD` if unlocked; `ERR_RLOCK_NOT_OWNED` for an RLock held by another client. */
  release(): void {
    invokeSync(this, 'release', []);
  }

  /** Whether it is held (by anyone). */
  locked(): boolean {
    return invokeSync(this, 'locked', []) as boolean;
  }

  /** How many times the server released it because its holder died. */
  abandoned(): number {
    return invokeSync(this, 'abandoned', []) as number;
  }

  /** Like the base form, prefixed with `locked` or `unlocked`. */
  override toString(): string {
    return `<${this.locked() ? 'locked' : 'unlocked'} ${super.toString().slice(1)}`;
  }
}

/**
 * A proxy for a Semaphore or BoundedSemaphore in a Manager. Same API as weft/threading's.
 *
 * @example
 * ```ts
 * const slots = await manager.BoundedSemaphore(2);
 * if (await slots.acquire({ timeout: 1000 })) slots.release();
 * ```
 */
export class SemaphoreProxy extends AcquirableProxy {
  /** Adds `n` permits. @throws {StateError} `ERR_SEMAPHORE_OVERRELEASED` past a bounded semaphore's initial value. */
  release(n = 1): void {
    checkInt(n, 'n', 1);
    invokeSync(this, 'release', [n]);
  }

  /** The permits available now. */
  get value(): number {
    return invokeSync(this, 'value', []) as number;
  }

  /** Like the base form, with the current `value`. */
  override toString(): string {
    return `${super.toString().slice(0, -1)} value=${this.value}>`;
  }
}

/**
 * A proxy for an Event in a Manager. Same API as weft/threading's.
 *
 * @example
 * ```ts
 * const ready = await manager.Event();
 * ready.set();
 * await ready.wait({ timeout: 1000 }); // true
 * ```
 */
export class EventProxy extends BaseProxy {
  /** Sets the flag and wakes every waiter (Python's `Event.set`). */
  set(): void {
    invokeSync(this, 'set', []);
  }
  /** Clears the flag (Python's `Event.clear`). */
  clear(): void {
    invokeSync(this, 'clear', []);
  }
  /** Whether the flag is set (Python's `Event.is_set`). */
  isSet(): boolean {
    return invokeSync(this, 'isSet', []) as boolean;
  }
  /** Waits until set; false if `timeout` ms pass first. */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = optionsOf(options);
    const w = asyncWait(undefined, timeout, signal);
    return (await invoke(this, 'wait', [w.timeout], { signal: w.signal })) as boolean;
  }
  /** Blocking form of {@link EventProxy.wait}: waits for the manager's answer in this thread. */
  waitSync(options?: WaitSyncOptions): boolean {
    return invokeSync(this, 'wait', [checkTimeout(optionsOf(options).timeout)]) as boolean;
  }
}

/**
 * A proxy for a Condition in a Manager; its lock is an RLock of the
 * manager unless `manager.Condition(lock)` gave one. Same API as
 * weft/threading's.
 *
 * @example
 * ```ts
 * const cond = await manager.Condition();
 * cond.acquireSync();
 * cond.notifyAll();
 * cond.release();
 * ```
 */
export class ConditionProxy extends LockProxy {
  /** Releases the lock, waits for a notify (or the timeout), re-takes the lock. */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = optionsOf(options);
    const w = asyncWait(undefined, timeout, signal);
    return (await invoke(this, 'wait', [w.timeout], { signal: w.signal })) as boolean;
  }
  /** Blocking form of {@link ConditionProxy.wait}: waits for the manager's answer in this thread. */
  waitSync(options?: WaitSyncOptions): boolean {
    return invokeSync(this, 'wait', [checkTimeout(optionsOf(options).timeout)]) as boolean;
  }
  /** Waits until `predicate()` is truthy; returns its last value (falsy on timeout). */
  async waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    const { timeout, signal } = optionsOf(options);
    const deadline = performance.now() + checkTimeout(timeout);
    let result = predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await this.wait({ timeout: left, ...(signal ? { signal } : {}) });
      result = predicate();
    }
    return result;
  }
  /** Blocking form of {@link ConditionProxy.waitFor}: waits in this thread. */
  waitForSync<T>(predicate: () => T, options?: WaitSyncOptions): T {
    const deadline = performance.now() + checkTimeout(optionsOf(options).timeout);
    let result = predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      this.waitSync({ timeout: left });
      result = predicate();
    }
    return result;
  }
  /** Wakes up to `n` waiters (Python's `Condition.notify`). */
  notify(n = 1): void {
    checkInt(n, 'n', 0);
    invokeSync(this, 'notify', [n]);
  }
  /** Wakes every waiter (Python's `Condition.notify_all`). */
  notifyAll(): void {
    invokeSync(this, 'notifyAll', []);
  }
}

/**
 * A proxy for a Barrier in a Manager (no `action`). A party that dies while waiting breaks it.
 *
 * @example
 * ```ts
 * const start = await manager.Barrier(2);
 * // in each of two processes or threads:
 * await start.wait({ timeout: 5000 });
 * ```
 */
export class BarrierProxy extends BaseProxy {
  /** Waits for all parties; resolves with this party's index. @throws {BrokenBarrierError} */
  async wait(options?: { readonly timeout?: number }): Promise<number> {
    const { timeout } = optionsOf(options);
    return (await invoke(
      this,
      'wait',
      timeout === undefined ? [] : [checkTimeout(timeout)],
    )) as number;
  }
  /** Blocking form of {@link BarrierProxy.wait}: waits for the manager's answer in this thread. */
  waitSync(options?: { readonly timeout?: number }): number {
    const { timeout } = optionsOf(options);
    return invokeSync(this, 'wait', timeout === undefined ? [] : [checkTimeout(timeout)]) as number;
  }
  /** Breaks the barrier: current and future waiters get BrokenBarrierError (Python's `Barrier.abort`). */
  abort(): void {
    invokeSync(this, 'abort', []);
  }
  /** Returns the barrier to its initial, unbroken state (Python's `Barrier.reset`). */
  reset(): void {
    invokeSync(this, 'reset', []);
  }
  #state(): [number, number, boolean] {
    return invokeSync(this, 'state', []) as [number, number, boolean];
  }
  /** The number of parties needed to pass (Python's `Barrier.parties`). */
  get parties(): number {
    return this.#state()[0];
  }
  /** The number of parties waiting now (Python's `Barrier.n_waiting`). */
  get nWaiting(): number {
    return this.#state()[1];
  }
  /** Whether the barrier is broken (Python's `Barrier.broken`). */
  get broken(): boolean {
    return this.#state()[2];
  }
}

/** Options of a queue proxy's `put` / `get`: the shared `QueueWaitOptions` (internal/options.ts). */
export type QueueProxyWaitOptions = QueueWaitOptions;

/**
 * A proxy for a Queue, JoinableQueue, LifoQueue or PriorityQueue in a
 * Manager. Same API as weft/queue's: items are copied in and out.
 *
 * @example
 * ```ts
 * const q = await manager.Queue();
 * q.putNowait({ job: 1 });
 * await q.get();
 * ```
 */
export class QueueProxy<T = unknown> extends BaseProxy implements AsyncIterable<T> {
  /** Puts a copy of `item`, waiting for room if the queue is full (Python's `Queue.put`); throws QueueFull if none comes in time. */
  async put(item: T, options?: QueueProxyWaitOptions): Promise<void> {
    const { block, timeout, signal } = optionsOf(options);
    const w = asyncWait(block, timeout, signal, 'block');
    await invoke(this, 'put', [item, w.timeout], { signal: w.signal });
  }
  /** Blocking form of {@link QueueProxy.put}: waits for the manager's answer in this thread. */
  putSync(item: T, options?: Omit<QueueProxyWaitOptions, 'signal'>): void {
    const { block, timeout } = optionsOf(options);
    invokeSync(this, 'put', [item, checkAcquire(block, timeout, 'block')]);
  }
  /** Puts without waiting (Python's `Queue.put_nowait`); throws QueueFull if full. */
  putNowait(item: T): void {
    invokeSync(this, 'put', [item, 0]);
  }
  /** Removes and returns the next item, waiting for one (Python's `Queue.get`); throws QueueEmpty if none comes in time. */
  async get(options?: QueueProxyWaitOptions): Promise<T> {
    const { block, timeout, signal } = optionsOf(options);
    const w = asyncWait(block, timeout, signal, 'block');
    return (await invoke(this, 'get', [w.timeout], {
      signal: w.signal,
      // The item was already taken when the abort reached the server: put it back first in line.
      giveBack: (item) => void invoke(this, 'unget', [item]).catch(() => undefined),
    })) as T;
  }
  /** Blocking form of {@link QueueProxy.get}: waits for the manager's answer in this thread. */
  getSync(options?: Omit<QueueProxyWaitOptions, 'signal'>): T {
    const { block, timeout } = optionsOf(options);
    return invokeSync(this, 'get', [checkAcquire(block, timeout, 'block')]) as T;
  }
  /** Removes and returns an item without waiting (Python's `Queue.get_nowait`); throws QueueEmpty if empty. */
  getNowait(): T {
    return invokeSync(this, 'get', [0]) as T;
  }
  /** The number of items now (Python's `Queue.qsize`). */
  qsize(): number {
    return invokeSync(this, 'qsize', []) as number;
  }
  /** Whether the queue is empty now (Python's `Queue.empty`). */
  empty(): boolean {
    return invokeSync(this, 'empty', []) as boolean;
  }
  /** Whether the queue is full now (Python's `Queue.full`). */
  full(): boolean {
    return invokeSync(this, 'full', []) as boolean;
  }
  /** The most items it holds; 0 or less means no limit (Python's `Queue.maxsize`). */
  get maxsize(): number {
    return invokeSync(this, 'maxsize', []) as number;
  }
  /** Sets the most items it holds (0: no limit). */
  set maxsize(value: number) {
    invokeSync(this, 'maxsize', [checkInt(value, 'maxsize', 0)]);
  }
  /** Marks one item taken with `get` as processed. @throws {StateError} `ERR_TASK_DONE_TOO_MANY` */
  taskDone(): void {
    invokeSync(this, 'taskDone', []);
  }
  /**
   * Resolves once every item put has been marked done. It takes no options
   * yet (Python's takes none); anything but an object there rejects, as
   * weft/queue's `join` does.
   */
  async join(options?: Readonly<Record<string, never>>): Promise<void> {
    optionsOf(options);
    await invoke(this, 'join', []);
  }
  /** Blocking form of {@link QueueProxy.join}: waits for the manager's answer in this thread. */
  joinSync(options?: Readonly<Record<string, never>>): void {
    optionsOf(options);
    invokeSync(this, 'join', []);
  }
  /** Python 3.13's `shutdown(immediate)`. */
  shutdown(options?: { readonly immediate?: boolean }): void {
    const { immediate = false } = optionsOf(options);
    if (typeof immediate !== 'boolean') {
      throw argTypeError(`Expected \`immediate\` to be a boolean, got ${describe(immediate)}`);
    }
    invokeSync(this, 'shutdown', [immediate]);
  }
  /** Yields items until the queue is shut down and empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      try {
        yield await this.get();
      } catch (error) {
        if (error instanceof QueueShutDown) return;
        throw error;
      }
    }
  }
}

/**
 * A proxy for an RLock in a Manager: owned by the client thread that took it, re-entrant.
 *
 * @example
 * ```ts
 * const rlock = await manager.RLock();
 * rlock.acquireSync();
 * rlock.acquireSync(); // re-entered
 * rlock.release();
 * rlock.release();
 * ```
 */
export class RLockProxy extends LockProxy {}
