import { WeftError } from '../internal/errors.js';

// One CancelledError for weft/futures and weft/asyncio (a task awaiting a
// cancelled Future is cancelled, not failed).
export { CancelledError } from '../internal/cancelled.js';

/**
 * The executor cannot run tasks any more, because a worker's `initializer`
 * failed (the error is the `cause`). Every pending future of the pool fails
 * with it and every later `submit()` throws it. Python's `BrokenExecutor`
 * (`BrokenThreadPool`, `BrokenProcessPool`).
 *
 * @example
 * ```ts
 * try { await pool.submit(work.crunch, 1); }
 * catch (e) { if (e instanceof BrokenExecutorError) console.error('initializer failed:', e.cause); }
 * ```
 */
export class BrokenExecutorError extends WeftError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_EXECUTOR_BROKEN', message, options);
  }
}

/**
 * An operation the future's state does not allow: setting the result of a
 * future that is already done. Python's `InvalidStateError`.
 *
 * @example
 * ```ts
 * const f = new Future<number>();
 * f.setResult(1);
 * try { f.setResult(2); } catch (e) { (e as InvalidStateError).code === 'ERR_INVALID_STATE'; }
 * ```
 */
export class InvalidStateError extends WeftError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_INVALID_STATE', message, options);
  }
}

/** Why a worker stopped while it ran a task; the `code` of a {@link WorkerExitError}. */
export type WorkerExitCode =
  /** The task (or something in the worker) called `process.exit()`, or the process exited. */
  | 'ERR_WORKER_EXITED'
  /** The worker thread failed on its own (its `'error'` event, e.g. it could not start); the error is the `cause`. An error thrown from a timer or an unhandled rejection is a stray error instead (`onStrayError`), never a task's failure. */
  | 'ERR_WORKER_CRASHED'
  /** The worker ran out of memory (its `resourceLimits`, or the system's). */
  | 'ERR_WORKER_OUT_OF_MEMORY'
  /** The worker was killed: by a signal, or by the pool after a cancelled task ignored its signal past the grace period (or a stray error broke the worker and the task did not finish within it), or by `terminate()`. */
  | 'ERR_WORKER_KILLED';

/**
 * The worker running this task died. Only the futures of the tasks it was
 * running fail with this error; tasks that were waiting in its inbox move to
 * another worker, and the pool replaces the dead one and keeps serving.
 * (Python breaks the whole pool in this case; weft does not.)
 *
 * @example
 * ```ts
 * try { await pool.submit(work.exitNow, 3); }
 * catch (e) { if (e instanceof WorkerExitError) console.log(e.code, e.exitCode); } // ERR_WORKER_EXITED 3
 * ```
 */
export class WorkerExitError extends WeftError {
  declare readonly code: WorkerExitCode;
  /** The worker's exit code, when it exited; `undefined` when killed by a signal. */
  readonly exitCode: number | undefined;
  /** The signal that killed a child process (`SIGKILL`, …), if any. */
  readonly signal: string | undefined;
  constructor(
    code: WorkerExitCode,
    message: string,
    details: { exitCode?: number | undefined; signal?: string | undefined } = {},
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.exitCode = details.exitCode;
    this.signal = details.signal;
  }
}
