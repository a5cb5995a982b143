// The queue errors, shared by weft/queue (cross-thread) and weft/asyncio
// (in-thread) so that both throw the same classes: code written against one
// queue catches the other's errors too.

import { WeftError } from './errors.js';

/**
 * A `get` found the queue empty: `getNowait()`, `get({ block: false })`, or a
 * `get({ timeout })` that timed out (Python's `queue.Empty`).
 *
 * @example
 * ```ts
 * try { q.getNowait(); } catch (e) { if (e instanceof QueueEmpty) console.log('nothing yet'); }
 * ```
 */
export class QueueEmpty extends WeftError {
  constructor(message = 'The queue is empty', options?: ErrorOptions) {
    super('ERR_QUEUE_EMPTY', message, options);
  }
}

/**
 * A `put` found the queue full: `putNowait()`, `put(x, { block: false })`, or
 * a `put(x, { timeout })` that timed out (Python's `queue.Full`).
 *
 * @example
 * ```ts
 * try { q.putNowait(item); } catch (e) { if (e instanceof QueueFull) console.log('back off'); }
 * ```
 */
export class QueueFull extends WeftError {
  constructor(message = 'The queue is full', options?: ErrorOptions) {
    super('ERR_QUEUE_FULL', message, options);
  }
}

/**
 * The queue was shut down (Python 3.13's `queue.ShutDown`): every `put`
 * after `shutdown()`, and every `get` once a shut-down queue is empty (at
 * once after `shutdown({ immediate: true })`).
 *
 * @example
 * ```ts
 * for (;;) {
 *   let item;
 *   try { item = await q.get(); } catch (e) { if (e instanceof QueueShutDown) break; throw e; }
 *   handle(item);
 * }
 * ```
 */
export class QueueShutDown extends WeftError {
  constructor(message = 'The queue has been shut down', options?: ErrorOptions) {
    super('ERR_QUEUE_SHUT_DOWN', message, options);
  }
}
