// Python's module-level multiprocessing.Queue and JoinableQueue: the
// Manager's queue proxy, made with `new`, served by the private server of
// the thread that made it (local-server.ts). Same API as weft/queue's.

import { checkInt, checkOptions } from '../internal/validate.js';
import { adopted, createOwn, registerOwn } from './local-server.js';
import type { ManagedQueueOptions } from './manager.js';
import { QueueProxy } from './proxies-sync.js';

function size(options: ManagedQueueOptions | undefined, call: string): number {
  const { maxsize = 0 } = checkOptions(options, call, '{ maxsize: 10 }');
  return checkInt(maxsize, 'maxsize', 0);
}

/**
 * Python's `multiprocessing.Queue`: a FIFO queue that processes and threads
 * share when it is passed to them. Items are copied in and out (structured
 * clone); weft shareables and proxies inside them travel by reference.
 * Same API as weft/queue's `Queue` (`put`/`get` async with `…Sync` twins,
 * `putNowait`, `getNowait`, `qsize`, `shutdown`, `for await`). Between
 * threads of one process, weft/queue's `Queue` is the shared-memory one.
 *
 * @example
 * ```ts
 * import { Queue } from 'weft/multiprocessing';
 *
 * const q = new Queue<string>({ maxsize: 10 });
 * q.putSync('job');
 * console.log(await q.get()); // 'job'
 * ```
 */
export class Queue<T = unknown> extends QueueProxy<T> {
  /**
   * @param options - `{ maxsize }`: most items it holds, 0 for no limit. @default { maxsize: 0 }
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative `maxsize`.
   */
  constructor(options?: ManagedQueueOptions) {
    super(adopted() ?? createOwn('Queue', [size(options, 'new Queue(options)')]));
  }
}

/**
 * Python's `multiprocessing.JoinableQueue`: a {@link Queue} whose consumers
 * mark items done (`taskDone()`) so that `join()` can wait for all of them.
 *
 * @example
 * ```ts
 * import { JoinableQueue } from 'weft/multiprocessing';
 *
 * const q = new JoinableQueue<number>();
 * q.putSync(1);
 * q.getSync();
 * q.taskDone();
 * await q.join(); // every item put was marked done
 * ```
 */
export class JoinableQueue<T = unknown> extends QueueProxy<T> {
  /**
   * @param options - `{ maxsize }`: most items it holds, 0 for no limit. @default { maxsize: 0 }
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative `maxsize`.
   */
  constructor(options?: ManagedQueueOptions) {
    super(adopted() ?? createOwn('JoinableQueue', [size(options, 'new JoinableQueue(options)')]));
  }
}

registerOwn('Queue', Queue);
registerOwn('JoinableQueue', JoinableQueue);
