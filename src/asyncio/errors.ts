// One CancelledError for weft/futures and weft/asyncio (a task awaiting a
// cancelled Future is cancelled, not failed).
export { CancelledError } from '../internal/cancelled.js';

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
