// The wire format between a pool and its workers (see docs/futures.md).
// Both sides import these constants; nothing else lives here.
//
// main -> worker
//   batch   unknown[]: flat pairs [code, args, code, args, ...]; code < 0
//           defines a function: fns[~code] = load(args as TaskSpec)
//   control { t: 'abort', slot, reason } | { t: 'init', ... } | { t: 'exit' }
// worker -> main
//   results unknown[]: [busyMs, specials, v0, v1, ...], one value per task in
//           the order the tasks were sent; specials is 0 or flat pairs
//           [index, kind] for the values that are not plain results
//   control { t: 'ready' } | { t: 'started', slot } | { t: 'init-error', error }
//           | { t: 'stray', error }

/** Slot states in a thread pool's shared state words (one Int32 per ring slot). */
export const QUEUED = 1;
export const RUNNING = 2;
export const DONE = 3;
/** Taken back by the pool before it started (cancelled, or moved to another worker). */
export const TAKEN = 4;
/** Running, and the pool asked it to stop (its signal aborted). */
export const ABORTING = 5;
/**
 * Done, and the result, a primitive, is also in the slot's shared value
 * (Float64 after the state words), so it survives the worker: a worker that
 * dies (out of memory) with results still in its batch buffer loses nothing.
 * Any other finished task's result is posted before the next task starts.
 */
export const SAVED_NUMBER = 6;
export const SAVED_TRUE = 7;
export const SAVED_FALSE = 8;
export const SAVED_UNDEFINED = 9;
export const SAVED_NULL = 10;

/** Bytes of a thread pool's shared slot memory: CAPACITY Int32 states, then CAPACITY Float64 values. */
export const SLOT_BYTES = 12;

/** The result a SAVED_* state stands for (`value` is the slot's Float64). */
export function savedResult(state: number, value: number): unknown {
  switch (state) {
    case SAVED_NUMBER:
      return value;
    case SAVED_TRUE:
      return true;
    case SAVED_FALSE:
      return false;
    case SAVED_NULL:
      return null;
    default:
      return undefined;
  }
}

/** Task code = specId * 8 + flags. */
export const F_SHARED = 1; // args hold shareable markers: decode them
export const F_WATCH = 2; // post { t: 'started' } before running (timeouts, signals)
export const F_CHUNK = 4; // args is a list of argument lists (map's chunksize)
export const F_SKIP = 8; // a placeholder for a task that could not be sent: report it skipped
export const CODE_SHIFT = 16;

/** Kinds in a results message's `specials`. */
export const K_ERROR = 1; // the value is a serialized error
export const K_SKIPPED = 2; // not run: its slot was TAKEN
export const K_SHARED = 3; // the value holds shareable markers
export const K_CHUNK_ERROR = 4; // [partial results, serialized error]

/** Ring slots per worker (a power of two); bounds the tasks in flight to one worker. */
export const CAPACITY = 1024;

/** What a worker needs to start. */
export interface WorkerInit {
  readonly capacity: number;
  /** The thread pool's shared state words; absent for child processes. */
  readonly state?: SharedArrayBuffer;
  readonly initializer?: import('../internal/task-ref.js').TaskSpec;
  /** Encoded arguments of the initializer. */
  readonly initargs?: unknown;
  readonly initShared?: boolean;
}
