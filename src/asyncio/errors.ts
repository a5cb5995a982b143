import { WeftError } from '../internal/errors.js';

/**
 * The reason a task was told to stop: the abort reason of the signal a
 * {@link TaskGroup} gives its tasks once one of them failed (`cause` is that
 * failure). Python's `asyncio.CancelledError`. A task that ends with it is
 * not counted as a failure of its group.
 *
 * @example
 * ```ts
 * tg.create(async (signal) => {
 *   try { await sleep(10_000, { signal }); } catch (e) { if (e instanceof CancelledError) console.log('stopped'); throw e; }
 * });
 * ```
 */
export class CancelledError extends WeftError {
  constructor(message = 'The task was cancelled', options?: ErrorOptions) {
    super('ERR_CANCELLED', message, options);
  }
}

/**
 * Every failure of a {@link TaskGroup}'s tasks (and of its body, in
 * `TaskGroup.run`), in the order they happened: Python's `ExceptionGroup`.
 * An `AggregateError`, so `errors` holds them.
 *
 * @example
 * ```ts
 * try {
 *   await TaskGroup.run((tg) => { tg.create(a); tg.create(b); });
 * } catch (e) {
 *   if (e instanceof TaskGroupError) for (const err of e.errors) console.error(err);
 * }
 * ```
 */
export class TaskGroupError extends AggregateError {
  /** Always `ERR_TASK_GROUP`. */
  readonly code = 'ERR_TASK_GROUP';

  constructor(errors: readonly unknown[], message?: string) {
    super(
      errors,
      message ?? `${errors.length} unhandled error${errors.length === 1 ? '' : 's'} in a TaskGroup`,
    );
    this.name = 'TaskGroupError';
  }
}
