// The option shapes shared by every module's waiting methods: declared once
// here, re-exported under these names by weft/threading, weft/asyncio,
// weft/queue, weft/futures and weft/multiprocessing. A name means one shape
// with one meaning everywhere; what a method does when the time runs out
// (return `false`, throw `TimeoutError`, throw `QueueEmpty`) is its own and is
// said in its TSDoc. Options that mean something else have other names:
// `WaitFuturesOptions` (weft/futures' `wait`), `GreenWaitOptions`
// (weft/green's `wait`).

/**
 * Options of the waiting forms that return a promise (`acquire`, `wait`,
 * `join`, `hold`, `Future.result`, …).
 *
 * @example
 * ```ts
 * const options: WaitOptions = { timeout: 100, signal: AbortSignal.timeout(1_000) };
 * await lock.acquire(options);
 * ```
 */
export interface WaitOptions {
  /** Most ms to wait; `0` tries once without waiting. @default Infinity */
  readonly timeout?: number;
  /** Aborts the wait: it rejects with `signal.reason` and leaves the object as it was. */
  readonly signal?: AbortSignal;
}

/**
 * Options of the blocking forms (`acquireSync`, `waitSync`, `joinSync`, …):
 * {@link WaitOptions} without the signal, which a blocked thread cannot see.
 *
 * @example
 * ```ts
 * const options: WaitSyncOptions = { timeout: 100 };
 * lock.acquireSync(options);
 * ```
 */
export interface WaitSyncOptions {
  /** Most ms to block; `0` tries once without waiting. @default Infinity */
  readonly timeout?: number;
}

/**
 * Options of `acquire` and `hold`, Python's `acquire(blocking, timeout)`.
 *
 * @example
 * ```ts
 * const options: AcquireOptions = { blocking: false };
 * if (await lock.acquire(options)) lock.release();
 * ```
 */
export interface AcquireOptions extends WaitOptions {
  /** `false` tries once and never waits (no `timeout` allowed then). @default true */
  readonly blocking?: boolean;
}

/**
 * Options of `acquireSync` and `holdSync`.
 *
 * @example
 * ```ts
 * const options: AcquireSyncOptions = { timeout: 50 };
 * if (lock.acquireSync(options)) lock.release();
 * ```
 */
export interface AcquireSyncOptions extends WaitSyncOptions {
  /** `false` tries once and never waits (no `timeout` allowed then). @default true */
  readonly blocking?: boolean;
}

/**
 * Options of a queue's `put` and `get`, Python's `(block, timeout)`.
 *
 * @example
 * ```ts
 * const options: QueueWaitOptions = { timeout: 100 };
 * const next = await q.get(options);
 * ```
 */
export interface QueueWaitOptions extends WaitOptions {
  /** `false` tries once and never waits (no `timeout` allowed then). @default true */
  readonly block?: boolean;
}

/**
 * Options of a queue's `putSync` and `getSync`.
 *
 * @example
 * ```ts
 * const options: QueueWaitSyncOptions = { block: false };
 * const next = q.getSync(options);
 * ```
 */
export interface QueueWaitSyncOptions extends WaitSyncOptions {
  /** `false` tries once and never waits (no `timeout` allowed then). @default true */
  readonly block?: boolean;
}
