import { WeftError } from '../internal/errors.js';

/**
 * What `kill()` delivers to a greenlet by default (gevent's `GreenletExit`).
 * A greenlet that ends with it counts as successful, with the error as its
 * `value`, as in gevent.
 *
 * @example
 * ```ts
 * const g = spawn(async () => { await sleep(10_000); });
 * await g.kill();
 * g.successful(); // true
 * g.value instanceof GreenletExit; // true
 * ```
 */
export class GreenletExit extends WeftError {
  constructor(message = 'The greenlet was killed', options?: ErrorOptions) {
    super('ERR_GREENLET_EXIT', message, options);
  }
}
