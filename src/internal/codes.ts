// The one catalogue of the `code` strings weft's errors carry. Every error
// weft throws on purpose has one of these; test/validation/codes.test.ts
// greps src/ for `'ERR_…'` literals and fails on any not listed here, so the
// list cannot drift from the code. Add a code here first, then throw it.

/**
 * Every `code` an error thrown by weft can carry. Branch on `code`, never on
 * the message. The first three are Node's own codes for bad arguments, used
 * with the same meaning (and on plain `TypeError` / `RangeError` objects, as
 * Node does); the rest belong to `WeftError` subclasses.
 *
 * @example
 * ```ts
 * import type { ErrorCode } from 'weft';
 * function retryable(code: ErrorCode): boolean { return code === 'ERR_QUEUE_FULL'; }
 * ```
 */
export type ErrorCode =
  // ---- bad arguments (TypeError / RangeError, as in Node) ----
  /** An argument, or an option, has the wrong type: a non-object where an options object goes (`lock.acquireSync(false)`), a string timeout, a float where an integer goes. A `TypeError`. */
  | 'ERR_INVALID_ARG_TYPE'
  /** A number outside the allowed range: a negative timeout, `maxsize: -1`, `Value('B', 300)`. A `RangeError`. */
  | 'ERR_OUT_OF_RANGE'
  /** An argument of the right type whose value is not allowed, or a combination of options that contradict each other (`{ blocking: false, timeout: 5 }`, an unknown typecode, a class where a task function goes). A `TypeError` or `RangeError`. */
  | 'ERR_INVALID_ARG_VALUE'
  /** A required argument is missing (`pool.map(fn)` with no iterable). A `TypeError`. */
  | 'ERR_MISSING_ARGS'
  /** A task function given inline uses variables from its surroundings, which cannot travel to a worker. A `TypeError`. */
  | 'ERR_INLINE_CAPTURE'
  /** A value cannot be copied to another thread (structured clone failed). A `TypeError` (futures; queues throw the platform's `DataCloneError`, as `structuredClone` does). */
  | 'ERR_NOT_CLONEABLE'

  // ---- time ----
  /** A guard form (`hold()`, `holdSync()`, `result()`, `map` iteration, `asCompleted`) ran out of time. `TimeoutError`. */
  | 'ERR_TIMEOUT'

  // ---- threading ----
  /** `release()` of a `Lock` that is not locked. */
  | 'ERR_LOCK_NOT_HELD'
  /** `release()` of an `RLock` by a thread (or scope) that does not own it. */
  | 'ERR_RLOCK_NOT_OWNED'
  /** `release()` of a `BoundedSemaphore` past its initial value. */
  | 'ERR_SEMAPHORE_OVERRELEASED'
  /** `wait` / `notify` on a `Condition` whose lock the caller does not hold. */
  | 'ERR_CONDITION_NOT_OWNED'
  /** More threads waiting on one `Condition` than its `maxWaiters`. */
  | 'ERR_TOO_MANY_WAITERS'
  /** A `Barrier` wait, timeout, abort or failed action broke the barrier. `BrokenBarrierError`. */
  | 'ERR_BROKEN_BARRIER'
  /** `barrier.waitSync()` in a thread where the barrier's action has not loaded yet. */
  | 'ERR_BARRIER_NOT_READY'
  /** A `Thread` method that its state does not allow (start twice, join before start, …). */
  | 'ERR_THREAD_STATE'

  // ---- shareables ----
  /** A buffer that does not hold the shareable it is rebuilt as. */
  | 'ERR_SHAREABLE_INVALID'
  /** A shareable arrived whose module is not loaded in this thread. */
  | 'ERR_SHAREABLE_UNKNOWN'
  /** An instance of a registered class arrived, and its class cannot be found here: its module failed to load, registers no class by that name, or cannot be loaded by a blocking receive. A `TypeError`. */
  | 'ERR_CLASS_NOT_FOUND'
  /** An object that lives in one thread (a `weft/asyncio` or `weft/green` primitive, a futures `Future` or executor) was about to be sent to another thread or process. A `TypeError`. */
  | 'ERR_IN_THREAD_ONLY'
  /** A shareable was sent to a child process, which does not share memory. */
  | 'ERR_SHAREABLE_PROCESS'
  /** A shared buffer in a queue item can no longer be found. */
  | 'ERR_SHAREABLE_LOST'
  /** `add` / `compareExchange` on a float `Value` or `SharedArray`: Atomics work on integer types only. A `TypeError`. */
  | 'ERR_NOT_ATOMIC'
  /** `getLock()` of a `Value` / `SharedArray` created with `lock: false`. */
  | 'ERR_NO_LOCK'

  // ---- queues ----
  /** `get` found the queue empty (non-blocking, or timed out). `QueueEmpty`. */
  | 'ERR_QUEUE_EMPTY'
  /** `put` found the queue full (non-blocking, or timed out). `QueueFull`. */
  | 'ERR_QUEUE_FULL'
  /** The queue has been shut down. `QueueShutDown`. */
  | 'ERR_QUEUE_SHUT_DOWN'
  /** An item does not fit in the queue's `maxBytes`. */
  | 'ERR_QUEUE_MEMORY'
  /** `taskDone()` called more times than items were put. */
  | 'ERR_TASK_DONE_TOO_MANY'
  /** The queue's buffer directory thread did not start. */
  | 'ERR_DIRECTORY_START'

  // ---- futures ----
  /** The future (or task) was cancelled. `CancelledError` (futures and asyncio). */
  | 'ERR_CANCELLED'
  /** A `Future` method its state does not allow (`setResult` twice, …). `InvalidStateError`. */
  | 'ERR_INVALID_STATE'
  /** The executor can no longer run tasks (its initializer failed). `BrokenExecutorError`. */
  | 'ERR_EXECUTOR_BROKEN'
  /** `submit` after `shutdown()`. */
  | 'ERR_EXECUTOR_SHUTDOWN'
  /** `submit` with `maxQueue` tasks already waiting. */
  | 'ERR_EXECUTOR_QUEUE_FULL'
  /** The worker running the task exited. `WorkerExitError`. */
  | 'ERR_WORKER_EXITED'
  /** The worker running the task crashed (an uncaught error outside the task). `WorkerExitError`. */
  | 'ERR_WORKER_CRASHED'
  /** The worker running the task ran out of memory. `WorkerExitError`. */
  | 'ERR_WORKER_OUT_OF_MEMORY'
  /** The worker running the task was killed. `WorkerExitError`. */
  | 'ERR_WORKER_KILLED'
  /** `taskSignal()` called outside a task run by an executor. */
  | 'ERR_NOT_IN_TASK'

  // ---- asyncio / green ----
  /** `result()` of an asyncio task that has not finished. */
  | 'ERR_TASK_PENDING'
  /** One or more tasks of a `TaskGroup` failed. `TaskGroupError`. */
  | 'ERR_TASK_GROUP'
  /** `createTask` on a `TaskGroup` that has finished. */
  | 'ERR_TASK_GROUP_CLOSED'
  /** `createTask` on a `TaskGroup` that is shutting down after a failure. */
  | 'ERR_TASK_GROUP_ABORTED'
  /** Scheduling on a closed `EventLoop`. */
  | 'ERR_LOOP_CLOSED'
  /** A green `Timeout` started twice. */
  | 'ERR_TIMEOUT_PENDING'
  /** The greenlet was killed. `GreenletExit`. */
  | 'ERR_GREENLET_EXIT'
  // ---- task modules and threads ----
  /** A task module (or a Thread/Process subclass's module) does not exist; the message names the file (Node's own code, kept). */
  | 'ERR_MODULE_NOT_FOUND'
  /** A task module has no function export of that name. A `TypeError`. */
  | 'ERR_TASK_NOT_EXPORTED'
  /** A TypeScript task module must be loaded in a thread, and tsx is not installed. */
  | 'ERR_TS_LOADER_MISSING'
  /** Node refused a flag for a worker thread; weft drops such flags and warns (Node's own code, not thrown by weft). */
  | 'ERR_WORKER_INVALID_EXEC_ARGV'
  /** A Thread subclass that overrides `run()` has no `static module = import.meta.url`, so its thread cannot load it. */
  | 'ERR_THREAD_CLASS_MODULE'
  /** More live threads than the thread registry can hold (about 14,000), or a thread id past 2^28. */
  | 'ERR_TOO_MANY_THREADS'
  /** More threads hold permits of one Semaphore at once than its `maxHolders` (default 64). */
  | 'ERR_TOO_MANY_HOLDERS'
  // ---- weft/multiprocessing ----
  /** A function returned what its caller cannot use (a Manager `register` factory that returned a non-object). */
  | 'ERR_INVALID_RETURN_VALUE'
  /** The other side of a Manager connection did not prove it holds the `authkey`. `AuthenticationError`. */
  | 'ERR_MANAGER_AUTH'
  /** The Manager (or this client of it) was shut down. `ManagerError`. */
  | 'ERR_MANAGER_CLOSED'
  /** The connection to the Manager was lost; every pending and later call fails with it. `ManagerError`. */
  | 'ERR_MANAGER_GONE'
  /** The Manager server failed while serving a call. `ManagerError`. */
  | 'ERR_MANAGER_INTERNAL'
  /** The Manager could not listen at its address. `ManagerError`. */
  | 'ERR_MANAGER_LISTEN'
  /** A proxy called a method its object does not have. `ManagerError`. */
  | 'ERR_MANAGER_NO_METHOD'
  /** Internal: carries an error thrown by a registered type's code to the client, which rethrows it as a plain Error (never seen by callers). */
  | 'ERR_MANAGER_SERVED'
  /** A proxy names an object the Manager does not hold. `ManagerError`. */
  | 'ERR_MANAGER_NO_OBJECT'
  /** An error's description from another thread or process was malformed; a plain `Error` that says so stands in for it. */
  | 'ERR_MALFORMED_ERROR'
  /** A malformed Manager message (a frame too large, a bad reply). `ManagerError`. */
  | 'ERR_MANAGER_PROTOCOL'
  /** `create` with a typeid nobody registered. `ManagerError`. */
  | 'ERR_MANAGER_UNKNOWN_TYPE'
  /** No Manager answers at the address. `ManagerError`. */
  | 'ERR_MANAGER_UNREACHABLE'
  /** A `Process` call its state does not allow: started twice, joined before `start()`, closed while running. */
  | 'ERR_PROCESS_STATE'
  /** A Process subclass that overrides `run()` has no `static module = import.meta.url`. */
  | 'ERR_PROCESS_CLASS_MODULE'
  /** `Pool.join()` before `close()` or `terminate()` (Python raises ValueError). */
  | 'ERR_POOL_RUNNING'
  /** A task given to a `Pool` after `close()` or `terminate()`. */
  | 'ERR_POOL_NOT_RUNNING'
  /** `AsyncResult.successful()` before the result is ready (Python raises ValueError). */
  | 'ERR_RESULT_NOT_READY';
