import { WeftError } from './errors.js';

/**
 * The operation was cancelled: a cancelled {@link Future} (its `result()`,
 * `exception()` and `await`), and the reason a `TaskGroup` gives its tasks
 * once one of them failed (`cause` is that failure). One class for
 * `weft/futures`, `weft/asyncio` and `weft`, as Python's
 * `concurrent.futures.CancelledError` and `asyncio.CancelledError` meet when
 * a task awaits a cancelled future: a task that ends with it counts as
 * cancelled, never as a failure of its group.
 *
 * @example
 * ```ts
 * const f = new Future<number>();
 * f.cancel();
 * try { await f; } catch (e) { if (e instanceof CancelledError) console.log(e.code); } // ERR_CANCELLED
 * ```
 */
export class CancelledError extends WeftError {
  constructor(message = 'The operation was cancelled', options?: ErrorOptions) {
    super('ERR_CANCELLED', message, options);
  }
}
