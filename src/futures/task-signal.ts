// The running task's AbortSignal, read inside a worker. The worker loop keeps
// the current task in a registered global, so a task module that imports
// weft from dist sees the context set by an entry loaded from src, and the
// AbortController is only made when a task asks for it.

import { StateError } from '../internal/errors.js';
import { globalSlot, readGlobal, TASK_CONTEXT_KEY } from '../internal/globals.js';
import { ABORTING } from './protocol.js';

/** @internal What the worker loop records about the task it is running. */
export interface TaskContext {
  /** Ring slot of the running task; -1 between tasks. */
  slot: number;
  controller: AbortController | undefined;
  /** Shared state words (thread pools), read to notice an abort during synchronous code. */
  readonly state: Int32Array | undefined;
}

/** @internal The context of this thread's worker loop, made once. */
export function taskContext(state?: Int32Array): TaskContext {
  return globalSlot<TaskContext>(TASK_CONTEXT_KEY, () => ({
    slot: -1,
    controller: undefined,
    state,
  }));
}

/**
 * The `AbortSignal` of the executor task running in this worker. It aborts
 * when the task's `signal` (given to `submitWith`) aborts, when its `timeout`
 * passes, or when the pool is terminated; the reason says which. Call it from
 * inside a task (also after an `await`: a worker runs one task at a time).
 *
 * @remarks Cancellation: the signal's `abort` event fires when the worker's
 * event loop runs, so an `async` task sees it at its next `await`. Synchronous
 * code can poll: each call re-checks shared memory, so `taskSignal().aborted`
 * turns true in a busy loop of a thread-pool task. A task that ignores the
 * signal for the pool's `gracePeriod` has its worker terminated.
 * @throws {StateError} `ERR_NOT_IN_TASK` outside a running task.
 * @example
 * ```ts
 * // work.ts
 * import { taskSignal } from 'weft/futures';
 * export async function download(url: string) {
 *   const res = await fetch(url, { signal: taskSignal() });
 *   return res.text();
 * }
 * ```
 */
export function taskSignal(): AbortSignal {
  const ctx = readGlobal(TASK_CONTEXT_KEY) as TaskContext | undefined;
  if (ctx === undefined || ctx.slot < 0) {
    throw new StateError(
      'ERR_NOT_IN_TASK',
      'taskSignal() is only available inside a task run by a weft executor',
    );
  }
  const controller = (ctx.controller ??= new AbortController());
  if (
    !controller.signal.aborted &&
    ctx.state !== undefined &&
    Atomics.load(ctx.state, ctx.slot) === ABORTING
  ) {
    controller.abort(new DOMException('The task was cancelled', 'AbortError'));
  }
  return controller.signal;
}
