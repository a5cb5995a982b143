/**
 * Python's `concurrent.futures`: thread and process pool executors, futures,
 * `wait` and `asCompleted`, with tasks typed from their module.
 *
 * @module weft/futures
 */
export { Future } from './future.js';
export type { FutureWaitOptions } from './future.js';
export { wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from './wait.js';
export type {
  WaitFuturesOptions,
  WaitOptions,
  AsCompletedOptions,
  DoneAndNotDone,
  ReturnWhen,
  Completed,
} from './wait.js';
export { Executor } from './executor.js';
export type {
  SubmitOptions,
  ShutdownOptions,
  MapOptions,
  MapIterables,
  TaskArgs,
  TaskResult,
} from './executor.js';
export type { PoolOptions } from './pool-executor.js';
export type { StrayErrorSource } from './pool.js';
export { ThreadPoolExecutor } from './thread-pool.js';
export type { ThreadPoolOptions } from './thread-pool.js';
export { ProcessPoolExecutor } from './process-pool.js';
export type { ProcessPoolOptions } from './process-pool.js';
export {
  CancelledError,
  BrokenExecutorError,
  InvalidStateError,
  WorkerExitError,
} from './errors.js';
export type { WorkerExitCode } from './errors.js';
export { transfer } from './transfer.js';
export { taskSignal } from './task-signal.js';
export { registerErrorClass } from './task-error.js';
export { tasks } from '../internal/task-ref.js';
export type { TaskRef, TaskModule, Target } from '../internal/task-ref.js';
export { TimeoutError, WeftError, StateError } from '../internal/errors.js';
