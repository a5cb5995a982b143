// BrokenBarrierError for the in-thread Barrier of weft/asyncio, which may not
// import weft/threading. Same name and code as threading's; threading/barrier.ts
// can re-export this class so that both barriers throw one class.

import { WeftError } from './errors.js';

/**
 * Raised by `Barrier.wait` when the barrier is broken (by `abort()`, a
 * timeout, an aborted wait or a failed action) or reset while waiting.
 *
 * @example
 * ```ts
 * try { await barrier.wait(); } catch (e) { if (e instanceof BrokenBarrierError) console.log(e.code); }
 * ```
 */
export class BrokenBarrierError extends WeftError {
  constructor(message = 'The barrier is broken', options?: ErrorOptions) {
    super('ERR_BROKEN_BARRIER', message, options);
  }
}
