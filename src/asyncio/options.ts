// Option shapes of the in-thread primitives: the same names, defaults and
// meaning as weft/threading's, without the blocking (`Sync`) forms, which
// would deadlock a single thread.

/** Options of the waiting forms: `wait`, `join`. */
export interface WaitOptions {
  /** Most ms to wait; `0` checks once. @default Infinity */
  readonly timeout?: number;
  /** Aborts the wait: it rejects with `signal.reason` and leaves the primitive as it was. */
  readonly signal?: AbortSignal;
}

/** Options of `acquire` and `hold`, Python's `acquire(blocking, timeout)`. */
export interface AcquireOptions extends WaitOptions {
  /** `false` tries once and never waits (no `timeout` allowed then). @default true */
  readonly blocking?: boolean;
}

/** Options of a queue's `put` and `get`, Python's `(block, timeout)`. */
export interface QueueWaitOptions extends WaitOptions {
  /** `false` tries once and never waits (no `timeout` allowed then). @default true */
  readonly block?: boolean;
}
