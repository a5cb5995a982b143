import type { ResourceLimits } from 'node:worker_threads';
import { argTypeError, describe } from '../internal/errors.js';
import * as registry from '../threading/registry.js';
import type { LinkEvents, Transport, WorkerLink } from './lane.js';
import { PoolExecutor, type PoolOptions } from './pool-executor.js';
import type { WorkerInit } from './protocol.js';
import { weftModule } from '../internal/package-url.js';
import { startWorker } from '../internal/worker-start.js';
import { checkOptions } from '../internal/validate.js';

/** Options of a {@link ThreadPoolExecutor}. */
export interface ThreadPoolOptions extends PoolOptions {
  /** Node's resource limits for each worker's isolate (a task exceeding them fails with `ERR_WORKER_OUT_OF_MEMORY`). */
  readonly resourceLimits?: ResourceLimits;
  /** Prefix of the worker threads' names (`name_0`, `name_1`, …; `currentThread().name` in a task). @default `ThreadPoolExecutor-N` */
  readonly name?: string;
}

const ENTRY = weftModule('futures/entry/thread-worker');
let pools = 0;
/** Ms an idle worker asked to exit has to do so before it is terminated. */
const CLOSE_TIMEOUT = 1000;

class ThreadTransport implements Transport {
  readonly shared = true;
  readonly needsReady = false;
  #count = 0;
  constructor(
    readonly name: string,
    readonly resourceLimits: ResourceLimits | undefined,
  ) {}

  spawn(init: WorkerInit, events: LinkEvents): WorkerLink {
    const name = `${this.name}_${this.#count++}`;
    const slot = registry.claim(name, true);
    const worker = startWorker(ENTRY, {
      name,
      workerData: {
        weftPool: init,
        weftRegistry: registry.registryBuffer(),
        weftThread: { name, daemon: true, slot },
      },
      ...(this.resourceLimits === undefined ? {} : { resourceLimits: this.resourceLimits }),
    });
    const ident = worker.threadId;
    registry.setIdent(slot, ident);
    let error: Error | undefined;
    worker.on('message', (message: unknown) => events.message(message));
    worker.on('error', (e: Error) => (error ??= e));
    worker.on('exit', (code: number) => {
      if ((error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        registry.markKilled(ident);
      }
      registry.markDone(slot, ident);
      events.exit({ code, error });
    });
    // Shared primitives release what a thread weft killed held (registry.ts).
    const kill = (): void => {
      registry.markKilled(ident);
      void worker.terminate();
    };
    // The pool holds Node alive while it has unfinished tasks; an idle worker never does.
    worker.unref();
    return {
      id: ident,
      post: (message, transfer) => worker.postMessage(message, transfer),
      terminate: () => kill(),
      close: () => {
        worker.postMessage({ t: 'exit' });
        // A task may have left a timer or handle that keeps the thread alive.
        setTimeout(kill, CLOSE_TIMEOUT).unref();
      },
    };
  }
}

/**
 * Runs tasks on a pool of worker threads: real parallelism (each worker is
 * its own V8 isolate, with no GIL and no shared globals). Python's
 * `concurrent.futures.ThreadPoolExecutor`.
 *
 * Arguments and results are copied by structured clone; shareables (locks,
 * queues, `Value`s…) arrive live, and `ArrayBuffer`s marked with
 * {@link transfer} move without a copy. A task's error arrives as itself
 * (class, message, `code`, own properties, the worker's stack). A worker that
 * dies fails only the task it was running, and is replaced.
 *
 * Lifetime: the pool keeps Node alive while it has unfinished tasks, never
 * when idle, so a pool that is never shut down does not hold the process
 * open once its work is done; a pool that becomes garbage shuts down (its
 * tasks still finish). `await using` (or `shutdown()`) stops it.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor, tasks } from 'weft/futures';
 * const work = tasks<typeof import('./work.js')>(new URL('./work.js', import.meta.url));
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const f = pool.submit(work.gcd, 1231312, 434344); // Future<number>
 * for await (const g of pool.map(work.gcd, [12, 30], [8, 45])) console.log(g);
 * console.log(await f);
 * ```
 */
export class ThreadPoolExecutor extends PoolExecutor {
  constructor(options: ThreadPoolOptions = {}) {
    checkOptions(options, 'new ThreadPoolExecutor(options)', '{ maxWorkers: 4 }');
    const { name, resourceLimits } = options;
    if (name !== undefined && typeof name !== 'string') {
      throw argTypeError(`Expected \`name\` to be a string, got ${describe(name)}`);
    }
    if (
      resourceLimits !== undefined &&
      (typeof resourceLimits !== 'object' || resourceLimits === null)
    ) {
      throw argTypeError(
        `Expected \`resourceLimits\` to be an object, got ${describe(resourceLimits)}`,
      );
    }
    super(options, {
      kind: 'ThreadPoolExecutor',
      transport: new ThreadTransport(name ?? `ThreadPoolExecutor-${pools++}`, resourceLimits),
      maxTasksPerWorker: Infinity,
    });
  }
}
